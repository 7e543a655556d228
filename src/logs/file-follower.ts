import {closeSync, openSync, readSync, statSync} from 'node:fs';
import {parseLogLine} from './log-format.js';
import {LogStore} from './log-store.js';
import type {LogLine} from '../runtime/types.js';

interface Cursor {
  // Global byte offset in the service's log (counted across rotations).
  offset: number;
  partial: string;
}

// Reads what the supervisor's LogStore appended to the services' log files since
// the last read, across rotations, so a `logs -f` reader gets every line at its
// own pace and nobody buffers for it: the files are the buffer, as `docker logs -f`
// reads its json-file. A reader that falls further behind than the kept files is told.
export class FileFollower {
  private readonly cursors = new Map<string, Cursor>();

  constructor(
    private readonly store: LogStore,
    private readonly services: string[],
  ) {
    // A service that has not written yet this run starts after what its file
    // already holds (the store counts from there when it opens the file).
    for (const service of services) this.cursors.set(service, {offset: store.position(service)?.total ?? sizeOf(LogStore.fileOf(store.dir, service)), partial: ''});
  }

  // New complete lines, about maxBytes at most per service; lostBytes > 0 when
  // some rotated away before they were read.
  read(maxBytes = 1024 * 1024): {lines: LogLine[]; lostBytes: number} {
    const lines: LogLine[] = [];
    let lostBytes = 0;
    for (const service of this.services) {
      const cursor = this.cursors.get(service)!;
      const position = this.store.position(service);
      if (!position || cursor.offset >= position.total) continue;
      // The newest file starting at or before the cursor holds it; the end of
      // that file is where the next one starts (or the total, for the current one).
      const index = position.files.findIndex((file) => file.start <= cursor.offset);
      if (index === -1) {
        const oldest = position.files[position.files.length - 1]!;
        lostBytes += oldest.start - cursor.offset;
        cursor.offset = oldest.start;
        cursor.partial = '';
        continue;
      }
      const file = position.files[index]!;
      const end = index === 0 ? position.total : position.files[index - 1]!.start;
      const chunk = readRange(file.name, cursor.offset - file.start, Math.min(maxBytes, end - cursor.offset));
      cursor.offset += chunk.length;
      const parts = (cursor.partial + chunk.toString('utf8')).split('\n');
      cursor.partial = parts.pop() ?? '';
      for (const raw of parts) lines.push(parseLogLine(service, raw));
    }
    return {lines, lostBytes};
  }
}

// Bytes [from, from + length) of a file, cut back to the last line end when the
// read is capped, so a line's UTF-8 is never split between reads.
function readRange(file: string, from: number, length: number): Buffer {
  if (length <= 0) return Buffer.alloc(0);
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const got = readSync(fd, buffer, 0, length, from);
    const newline = buffer.lastIndexOf(10, got - 1);
    return buffer.subarray(0, newline >= 0 ? newline + 1 : got);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
