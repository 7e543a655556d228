import {closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync} from 'node:fs';
import path from 'node:path';

export interface RotationPolicy {
  // Rotate once the current file would grow past this.
  maxBytes: number;
  // Files kept in all: the current one plus `keep - 1` rotated ones (`.1`, `.2`, ...).
  keep: number;
}

export const defaultRotation: RotationPolicy = {maxBytes: 10 * 1024 * 1024, keep: 3};

// Rotated names, newest first: `x.log`, `x.log.1`, `x.log.2`.
export function rotatedNames(file: string, keep: number): string[] {
  return Array.from({length: keep}, (_v, i) => (i === 0 ? file : `${file}.${i}`));
}

// An append-only file with size-based rotation. Writes are synchronous and whole,
// so a line is never split between two writes or two files.
export class RotatingFile {
  private fd: number;
  private size: number;
  // Bytes written since this object opened the file, counted across rotations,
  // and where each kept file starts in that count (newest first): a reader's
  // position survives rotation without trusting inodes, which the system reuses.
  private total: number;
  private readonly starts: number[];

  constructor(
    readonly file: string,
    private readonly policy: RotationPolicy = defaultRotation,
  ) {
    mkdirSync(path.dirname(file), {recursive: true});
    this.fd = openSync(file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    this.total = this.size;
    this.starts = [0];
  }

  // The kept files with the global offset each starts at, newest (the current file) first.
  position(): {total: number; files: {name: string; start: number}[]} {
    const names = rotatedNames(this.file, this.policy.keep);
    return {total: this.total, files: this.starts.map((start, i) => ({name: names[i]!, start}))};
  }

  // A chunk of whole lines; it is cut at line ends so that no file outgrows maxBytes
  // (only a single line longer than maxBytes gets a file of its own).
  write(chunk: string): void {
    let rest = chunk;
    while (rest.length > 0) {
      const room = this.policy.maxBytes - this.size;
      const bytes = Buffer.byteLength(rest);
      if (bytes <= room) {
        this.append(rest, bytes);
        return;
      }
      let cut = rest.lastIndexOf('\n', room - 1) + 1;
      while (cut > 0 && Buffer.byteLength(rest.slice(0, cut)) > room) cut = rest.lastIndexOf('\n', cut - 2) + 1;
      if (cut === 0) {
        if (this.size > 0) {
          this.rotate();
          continue;
        }
        cut = rest.indexOf('\n') + 1 || rest.length;
      }
      const head = rest.slice(0, cut);
      this.append(head, Buffer.byteLength(head));
      rest = rest.slice(cut);
      if (rest.length > 0) this.rotate();
    }
  }

  private append(text: string, bytes: number): void {
    writeSync(this.fd, text);
    this.size += bytes;
    this.total += bytes;
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    const names = rotatedNames(this.file, this.policy.keep);
    rmSync(names[names.length - 1]!, {force: true});
    for (let i = names.length - 2; i >= 0; i--) {
      try {
        renameSync(names[i]!, names[i + 1]!);
      } catch {
        // A missing rotated file is fine: there was less history.
      }
    }
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = 0;
    this.starts.unshift(this.total);
    this.starts.length = Math.min(this.starts.length, this.policy.keep);
  }
}
