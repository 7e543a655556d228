import {closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats} from 'node:fs';
import {firstInvalidUtf8} from './utf8.js';

// Issue 9.9: a manifest or env file is read only when it is a regular file of a
// bounded size, so `-f /dev/zero` or a FIFO named `.env` is a clear error instead
// of 15 GB of RSS or a read that never returns (kubelet and Compose read config
// files the same way: stat, then a bounded read).
export const MAX_MANIFEST_BYTES = 10 * 1024 * 1024;
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

export type TextFile =
  | {ok: true; text: string}
  | {ok: false; missing: boolean; message: string; suggestion: string; line: number; column: number};

// `display` is the name used in messages; `maxBytes` the cap.
export function readTextFile(file: string, display: string, maxBytes: number): TextFile {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    return failure(error, display);
  }
  const odd = notRegularFile(stats, display);
  if (odd) return odd;
  if (stats.size > maxBytes) return tooBig(display, maxBytes);

  let fd: number;
  try {
    // O_NONBLOCK: if the path was swapped for a FIFO after the stat, open still returns.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    return failure(error, display);
  }
  try {
    const opened = fstatSync(fd);
    const swapped = notRegularFile(opened, display);
    if (swapped) return swapped;
    // Read at most one byte past the cap: a file that grows meanwhile is still bounded.
    const buffer = Buffer.alloc(Math.min(maxBytes, Math.max(opened.size, 64 * 1024)) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) break;
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) return tooBig(display, maxBytes);
    const bytes = buffer.subarray(0, length);
    const bad = firstInvalidUtf8(bytes);
    if (bad !== undefined) {
      const {line, column} = lineAndColumn(bytes, bad);
      return {ok: false, missing: false, message: `${display} is not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at line ${line}, column ${column})`, suggestion: 'save the file as UTF-8', line, column};
    }
    return {ok: true, text: bytes.toString('utf8')};
  } catch (error) {
    return failure(error, display);
  } finally {
    closeSync(fd);
  }
}

// Why this is not a file to read (a FIFO, a device, a socket, a directory), said
// as every command says it (manifest-path.ts); undefined for a regular file.
export function notRegularFile(stats: Stats, display: string): Extract<TextFile, {ok: false}> | undefined {
  const kind = notRegular(stats);
  return kind ? refuse(`${display} is ${kind}, not a regular file`, 'point at a regular file; sidecar does not read devices, pipes or sockets') : undefined;
}

function notRegular(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function refuse(message: string, suggestion: string): Extract<TextFile, {ok: false}> {
  return {ok: false, missing: false, message, suggestion, line: 1, column: 1};
}

function tooBig(display: string, maxBytes: number): TextFile {
  const mb = maxBytes / (1024 * 1024);
  return refuse(`${display} is larger than ${mb} MiB`, `keep it under ${mb} MiB: split it, or move data out of it into files the services read`);
}

function failure(error: unknown, display: string): TextFile {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return {ok: false, missing: true, message: `${display} does not exist`, suggestion: `create ${display}`, line: 1, column: 1};
  if (code === 'EACCES' || code === 'EPERM') return refuse(`${display} cannot be read: permission denied`, `check the permissions of ${display} (chmod u+r)`);
  return refuse(`${display} cannot be read: ${(error as Error).message}`, `check ${display}`);
}

// 1-based line, and column in characters, of a byte offset.
function lineAndColumn(bytes: Buffer, offset: number): {line: number; column: number} {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return {line, column: bytes.subarray(lineStart, offset).toString('utf8').length + 1};
}
