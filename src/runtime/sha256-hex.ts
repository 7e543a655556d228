import {sha256} from '@noble/hashes/sha2';
import {bytesToHex, utf8ToBytes} from '@noble/hashes/utils';

// The hex sha256 of a string (UTF-8), as node:crypto's createHash computes it, from
// @noble/hashes: names, labels and markers are hashed before a supervisor's first
// start, and node:crypto's 15 internal modules took 3-4 ms to load there (issue 13).
export function sha256Hex(value: string): string {
  return bytesToHex(sha256(utf8ToBytes(value)));
}
