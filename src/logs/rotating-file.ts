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

  constructor(
    readonly file: string,
    private readonly policy: RotationPolicy = defaultRotation,
  ) {
    mkdirSync(path.dirname(file), {recursive: true});
    this.fd = openSync(file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(chunk: string): void {
    const bytes = Buffer.byteLength(chunk);
    if (this.size > 0 && this.size + bytes > this.policy.maxBytes) this.rotate();
    writeSync(this.fd, chunk);
    this.size += bytes;
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
  }
}
