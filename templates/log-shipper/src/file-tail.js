import fs from 'node:fs/promises';
import {fileKey} from './discover.js';

// One open file being followed. Holding the descriptor is what lets us finish
// a file after it was renamed away: the fd keeps pointing at the old inode.
// `offset` is the byte just after the last complete line handed out; bytes of
// an unfinished line wait in `partial` until their newline arrives.
const NEWLINE = 0x0a;

export class FileTail {
  static async open(file, name, offset) {
    const handle = await fs.open(file, 'r');
    const stat = await handle.stat();
    return new FileTail(handle, {name, path: file, key: fileKey(stat), offset: Math.min(offset, stat.size)});
  }

  constructor(handle, {name, path, key, offset}) {
    this.handle = handle;
    this.name = name;
    this.path = path;
    this.key = key;
    this.offset = offset;
    this.partial = Buffer.alloc(0);
    // Set once the path no longer leads here (rotated or deleted): finish, then close.
    this.drainingSince = undefined;
    this.lastDataAt = Date.now();
  }

  // Complete lines appended since the last call, each with the offset just past it.
  async readLines(maxBytes, maxLineBytes) {
    const {size} = await this.handle.stat();
    // copytruncate-style rotation: the file shrank under us, start over.
    if (size < this.offset + this.partial.length) {
      this.offset = 0;
      this.partial = Buffer.alloc(0);
    }
    const position = this.offset + this.partial.length;
    const length = Math.min(size - position, maxBytes);
    if (length <= 0) return [];
    const chunk = Buffer.alloc(length);
    const {bytesRead} = await this.handle.read(chunk, 0, length, position);
    this.lastDataAt = Date.now();
    return this.split(Buffer.concat([this.partial, chunk.subarray(0, bytesRead)]), maxLineBytes);
  }

  split(buffer, maxLineBytes) {
    const base = this.offset;
    const lines = [];
    let start = 0;
    for (;;) {
      let end = buffer.indexOf(NEWLINE, start);
      let next = end + 1;
      // A runaway line without newline is cut so memory stays bounded.
      if (end === -1 && buffer.length - start >= maxLineBytes) next = end = start + maxLineBytes;
      if (end === -1) break;
      lines.push({text: decode(buffer.subarray(start, end)), offset: base + next});
      start = next;
    }
    this.offset = base + start;
    // Copy: a small leftover must not pin the whole chunk in memory.
    this.partial = Buffer.from(buffer.subarray(start));
    return lines;
  }

  // On close after rotation the last line may lack its newline: ship it anyway.
  takePartial() {
    if (this.partial.length === 0) return [];
    this.offset += this.partial.length;
    const line = {text: decode(this.partial), offset: this.offset};
    this.partial = Buffer.alloc(0);
    return [line];
  }

  close() {
    return this.handle.close();
  }
}

function decode(bytes) {
  return bytes.toString('utf8').replace(/\r$/, '');
}
