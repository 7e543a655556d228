import fs from 'node:fs/promises';
import path from 'node:path';
import {log} from './log.js';

// Where each file was shipped up to, keyed by inode: {"dev:ino": {file, offset}}.
// Written only after a batch is acknowledged, so a crash re-ships at most the
// unacknowledged lines (at-least-once), never skips one.
export class OffsetStore {
  constructor(file) {
    this.file = file;
    this.queue = Promise.resolve();
  }

  async load() {
    try {
      const data = JSON.parse(await fs.readFile(this.file, 'utf8'));
      return new Map(Object.entries(data.files ?? {}));
    } catch (error) {
      // Missing: first start. Corrupt: start over, which re-ships (never loses) lines.
      if (error.code !== 'ENOENT') log('offset file unreadable, starting from scratch', {file: this.file, error: error.message});
      return new Map();
    }
  }

  // Saves are chained so two renames can never land out of order.
  save(offsets) {
    const body = JSON.stringify({version: 1, files: Object.fromEntries(offsets)}, null, 2) + '\n';
    this.queue = this.queue.then(() => writeAtomically(this.file, body));
    return this.queue;
  }
}

// temp file in the same directory + fsync + rename: readers (and we, after a
// crash) see the old file or the new one, never half of one.
async function writeAtomically(file, body) {
  await fs.mkdir(path.dirname(file), {recursive: true});
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, file);
}
