import path from 'node:path';
import {discover, fileKey, findByKey} from './discover.js';
import {FileTail} from './file-tail.js';

const READ_CHUNK_BYTES = 256 * 1024;
const MAX_LINE_BYTES = 1024 * 1024;

// All followed files, keyed by inode (dev:ino), not by path: after
// `mv app.log app.log.1 && touch app.log` the old inode is finished through
// its open descriptor while the new one is followed from byte 0. Nothing is
// lost between the rename and the first write to the new file.
export class TailSet {
  constructor(config, {committed, onLines}) {
    this.config = config;
    this.committed = committed;
    this.onLines = onLines;
    this.tails = new Map();
    this.firstScan = true;
  }

  // One pass: notice new/rotated/removed files, then read what each has gained.
  async poll(budget) {
    await this.refresh();
    for (const tail of [...this.tails.values()]) {
      while (budget() > 0) {
        const lines = await tail.readLines(READ_CHUNK_BYTES, MAX_LINE_BYTES);
        if (lines.length === 0) break;
        this.onLines(tail, lines);
      }
      await this.closeIfDrained(tail);
    }
  }

  async refresh() {
    const now = Date.now();
    const seen = new Set();
    for (const {path: file, name, stat} of await discover(this.config)) {
      const key = fileKey(stat);
      seen.add(key);
      const known = this.tails.get(key);
      if (known) {
        known.path = file;
        known.drainingSince = undefined;
      } else {
        const tail = await this.add(file, name, this.startOffset(key, stat));
        if (tail) seen.add(tail.key);
      }
    }
    if (this.firstScan) await this.resumeRotatedAway(seen);
    this.firstScan = false;
    for (const tail of this.tails.values()) {
      if (!seen.has(tail.key)) tail.drainingSince ??= now;
    }
  }

  // At the first scan a saved offset wins (restart), and START_AT=end skips old
  // history. A file that appears later is new: read it from byte 0 (an inode
  // reused after a delete must not inherit the old file's offset).
  startOffset(key, stat) {
    if (!this.firstScan) return 0;
    const saved = this.committed.get(key);
    if (saved && saved.offset <= stat.size) return saved.offset;
    return this.config.startAt === 'end' ? stat.size : 0;
  }

  async add(file, name, offset) {
    const tail = await FileTail.open(file, name, offset);
    // The path may have been rotated between stat and open: keep one tail per inode.
    if (this.tails.has(tail.key)) {
      await tail.close();
      return undefined;
    }
    this.tails.set(tail.key, tail);
    return tail;
  }

  // Files we were reading when we stopped and that were renamed to a name the
  // pattern does not match (app.log -> app.log.1) while we were down.
  async resumeRotatedAway(seen) {
    const dirs = this.config.logFiles.length > 0
      ? [...new Set(this.config.logFiles.map((file) => path.dirname(path.resolve(this.config.logDir, file))))]
      : [this.config.logDir];
    for (const [key, saved] of this.committed) {
      if (seen.has(key)) continue;
      const found = await findByKey(dirs, key);
      if (!found || found.stat.size <= saved.offset) continue;
      const tail = await this.add(found.path, saved.file, saved.offset);
      if (tail) tail.drainingSince = Date.now();
    }
  }

  // A rotated file is closed once it has been quiet for ROTATE_WAIT_MS: the app
  // may still write a few lines through its old descriptor after the rename.
  async closeIfDrained(tail) {
    if (tail.drainingSince === undefined) return;
    const quietSince = Math.max(tail.drainingSince, tail.lastDataAt);
    if (Date.now() - quietSince < this.config.rotateWaitMs) return;
    const rest = tail.takePartial();
    if (rest.length > 0) this.onLines(tail, rest);
    this.tails.delete(tail.key);
    await tail.close();
  }

  async close() {
    for (const tail of this.tails.values()) await tail.close();
    this.tails.clear();
  }
}
