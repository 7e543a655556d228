import {closeSync, constants, fstatSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, writeSync} from 'node:fs';
import path from 'node:path';

export interface RotationPolicy {
  // Rotate once the current file would grow past this.
  maxBytes: number;
  // Files kept in all: the current one plus `keep - 1` rotated ones (`.1`, `.2`, ...).
  keep: number;
}

export const defaultRotation: RotationPolicy = {maxBytes: 10 * 1024 * 1024, keep: 3};

// Append, and never through a symlink put in a log's place (issue 9.7): that fails with ELOOP.
const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

// Rotated names, newest first: `x.log`, `x.log.1`, `x.log.2`.
export function rotatedNames(file: string, keep: number): string[] {
  return Array.from({length: keep}, (_v, i) => (i === 0 ? file : `${file}.${i}`));
}

// A write that failed (ENOSPC, EDQUOT, EIO...): `unwritten` is the part of the
// chunk that is not in the file (whole lines: a torn line is cut off again).
export class LogWriteError extends Error {
  override readonly name = 'LogWriteError';
  constructor(
    override readonly cause: NodeJS.ErrnoException,
    readonly unwritten: string,
  ) {
    super(cause.message);
  }
}

// An append-only file with size-based rotation. Writes are synchronous and whole,
// so a line is never split between two writes or two files. A failed write leaves
// the file as it was before it (issue 9 point 6) and throws LogWriteError; the
// next write tries again, reopening the file if a rotation could not.
export class RotatingFile {
  private fd: number | undefined;
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
    this.fd = this.open();
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
    try {
      while (rest.length > 0) {
        const room = this.policy.maxBytes - this.size;
        const bytes = Buffer.byteLength(rest);
        if (bytes <= room) {
          this.append(rest);
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
        this.append(rest.slice(0, cut));
        rest = rest.slice(cut);
        if (rest.length > 0) this.rotate();
      }
    } catch (error) {
      throw new LogWriteError(error as NodeJS.ErrnoException, rest);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  // The one place the log file is opened (append, owner-only).
  private open(): number {
    return openSync(this.file, APPEND_NO_FOLLOW, 0o600);
  }

  // All of text or nothing: write(2) may write part of it when the disk fills,
  // so loop over the rest, and on failure cut the file back to where it was.
  private append(text: string): void {
    this.fd ??= this.reopen();
    const buffer = Buffer.from(text);
    let done = 0;
    try {
      while (done < buffer.length) done += writeSync(this.fd, buffer, done, buffer.length - done);
    } catch (error) {
      if (done > 0) {
        try {
          ftruncateSync(this.fd, this.size);
        } catch {
          // The torn line stays; readers skip nothing but see it cut.
        }
      }
      throw error;
    }
    this.size += buffer.length;
    this.total += buffer.length;
  }

  // After a failed rotation the current file may be closed or gone: open it again
  // and go on from its real size.
  private reopen(): number {
    const fd = this.open();
    this.size = fstatSync(fd).size;
    this.total = this.starts[0]! + this.size;
    return fd;
  }

  private rotate(): void {
    this.close();
    const names = rotatedNames(this.file, this.policy.keep);
    rmSync(names[names.length - 1]!, {force: true});
    for (let i = names.length - 2; i >= 0; i--) {
      try {
        renameSync(names[i]!, names[i + 1]!);
      } catch {
        // A missing rotated file is fine: there was less history.
      }
    }
    // The current file is renamed away: whatever happens next starts a new one.
    this.size = 0;
    this.starts.unshift(this.total);
    this.starts.length = Math.min(this.starts.length, this.policy.keep);
    this.fd = this.open();
  }
}
