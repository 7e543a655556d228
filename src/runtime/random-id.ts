import {closeSync, openSync, readSync} from 'node:fs';
import {createRequire} from 'node:module';
import type {randomUUID as RandomUUID} from 'node:crypto';

// A random UUID (version 4) from the kernel's generator, read from /dev/urandom
// as node:crypto's randomUUID reads getrandom(2). Issue 13.1: `node:crypto` costs
// 3-4 ms to load (15 internal modules), on the path of every `up`, `down` and
// detached supervisor that only needs a lock token. Where /dev/urandom cannot be
// read, node:crypto answers instead.
export function randomUuid(): string {
  const bytes = Buffer.alloc(16);
  if (!readUrandom(bytes)) return (createRequire(import.meta.url)('node:crypto') as {randomUUID: typeof RandomUUID}).randomUUID();
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function readUrandom(into: Buffer): boolean {
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    let filled = 0;
    while (filled < into.length) {
      const read = readSync(fd, into, filled, into.length - filled, null);
      if (read <= 0) return false;
      filled += read;
    }
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
