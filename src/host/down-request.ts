import {closeSync, constants, fstatSync, openSync, readSync, rmSync} from 'node:fs';

// `sidecar down` without Node (bin/down.sh, issue 13.1/13.2): the shell cannot
// speak to the control socket, so it leaves this one line in `.sidecar/down.request`
// and sends the supervisor SIGTERM. The supervisor reads it on that SIGTERM: a
// request naming this very process (pid + start time), written by our user within
// the last half minute, makes the stop a `down` (the same as the socket's `down`,
// `--volumes` included); anything else leaves SIGTERM a plain stop. Read once and
// removed, so no later SIGTERM finds it.
//
//   sidecar-down <pid> <start time> <volumes: 0|1>

const MAX_AGE_MS = 30_000;
const MAX_BYTES = 128;

export interface DownRequest {
  volumes: boolean;
}

export function takeDownRequest(file: string, self: {pid: number; startTime: string | undefined}, now = Date.now()): DownRequest | undefined {
  let text: string;
  let fd: number;
  try {
    // Never through a symlink (issue 9.7); a FIFO put there must not block the signal handler.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_BYTES || stat.uid !== process.getuid?.() || Math.abs(now - stat.mtimeMs) > MAX_AGE_MS) return undefined;
    const buffer = Buffer.alloc(MAX_BYTES);
    text = buffer.subarray(0, readSync(fd, buffer, 0, MAX_BYTES, 0)).toString('latin1');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
    rmSync(file, {force: true});
  }
  return parseDownRequest(text, self);
}

export function parseDownRequest(text: string, self: {pid: number; startTime: string | undefined}): DownRequest | undefined {
  const match = /^sidecar-down (\d+) (\d+) ([01])\n$/.exec(text);
  if (!match || self.startTime === undefined) return undefined;
  if (Number(match[1]) !== self.pid || match[2] !== self.startTime) return undefined;
  return {volumes: match[3] === '1'};
}
