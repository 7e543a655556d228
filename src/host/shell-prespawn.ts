import {closeSync, constants, lstatSync, openSync, realpathSync, unlinkSync, writeSync} from 'node:fs';
import path from 'node:path';
import type {Prespawned} from './prespawn.js';
import {readStat} from '../runtime/process/proc-table.js';

// Issue 13.1: bin/up.sh starts the detached supervisor of `up -d`/`up --wait`
// before Node starts the CLI, and tells the CLI `PID FIFO` in SIDECAR_PRESPAWNED,
// which bin/restore-env.js takes out of the environment first thing and keeps
// here. The supervisor is the CLI's own child (the shell forked it, then became
// the CLI), waiting on fd 3 (the FIFO, opened read-write) for one line: its
// arguments as JSON. Loaded by bin/run.js in the boot bundle: node builtins only.
export const SHELL_PRESPAWN_KEY = Symbol.for('sidecar.shellPrespawned');
const FIFO_NAME = /^handover-\d+$/;
// The shell makes the FIFO as the supervisor starts: a CLI quicker than that waits this long for it.
const FIFO_WAIT_MS = 2000;
// How long an ended supervisor is waited for: over its own wait for its warm-up
// shell (2 s, supervisor-main.ts); and how often SIGURG is sent meanwhile.
const END_WAIT_MS = 3000;
const RESEND_MS = 20;
// And after the SIGTERM that follows, for its end.
const TERM_WAIT_MS = 1000;

// The supervisor the shell started, for the project in `dir`; one started for
// another directory (or that is not our child) is not used, and ended if ours.
export function takeShellPrespawn(dir: string): Prespawned | undefined {
  const store = globalThis as Record<symbol, unknown>;
  const value = store[SHELL_PRESPAWN_KEY];
  delete store[SHELL_PRESPAWN_KEY];
  const match = typeof value === 'string' ? /^([1-9]\d*) (\/.+)$/.exec(value) : null;
  if (!match) return undefined;
  const pid = Number(match[1]);
  const fifo = match[2]!;
  // Never a signal to a process we did not start: our child, alive (not yet reaped, so its pid is its own).
  if (procState(pid)?.ppid !== process.pid) return undefined;
  const prespawned = shellStarted(dir, pid, fifo);
  if (!FIFO_NAME.test(path.basename(fifo)) || !sameDir(path.dirname(fifo), path.join(dir, '.sidecar'))) {
    prespawned.kill();
    return undefined;
  }
  return prespawned;
}

function shellStarted(dir: string, pid: number, fifo: string): Prespawned {
  const exited = (): number | null | undefined => {
    const state = procState(pid);
    if (!state || state.ppid !== process.pid) return null;
    return state.state === 'Z' || state.state === 'X' ? state.exitCode : undefined;
  };
  // Told it is not needed by SIGURG, sent again every few ms until it has ended
  // (bounded), so nothing it started outlives the CLI. SIGURG's default is to be
  // ignored: one that lands before a handler is lost, never fatal, so each stage
  // cleans up after itself: the shell that starts it ends after its mkfifo, with
  // its FIFO (bin/up.sh); setsid and a Node still starting let it pass; Node
  // waiting for its arguments ends once its cgroup warm-up's shell has, with its
  // FIFO (supervisor-main.ts). SIGTERM ended whichever stage it found, leaving
  // mkfifo, the warm-up's shell or the FIFO behind (found by CI and stress runs).
  // One that has not ended by the deadline gets SIGTERM.
  const kill = (): void => {
    let next = 0;
    const send = (signal: NodeJS.Signals): void => {
      try {
        process.kill(pid, signal);
      } catch {
        // Ended meanwhile.
      }
    };
    const ended = waitEnded(exited, END_WAIT_MS, () => {
      if (Date.now() < next) return;
      next = Date.now() + RESEND_MS;
      send('SIGURG');
    });
    if (!ended) {
      send('SIGTERM');
      waitEnded(exited, TERM_WAIT_MS);
    }
    removeFifo(fifo);
  };
  return {
    dir,
    pid,
    exited,
    send: async (text) => {
      const deadline = Date.now() + FIFO_WAIT_MS;
      for (;;) {
        const sent = writeLine(fifo, text);
        if (sent !== 'not-yet') return sent;
        if (exited() !== undefined || Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    kill,
    // Told it is not needed (an empty line), it ends once its cgroup warm-up has
    // (supervisor-main.ts), and is waited for; killed when it cannot be told or does not end.
    end: () => {
      if (exited() === undefined && writeLine(fifo, '') === true && waitEnded(exited, END_WAIT_MS)) return;
      kill();
    },
  };
}

// Waits, blocking (the CLI is on its way out, or about to start another), until
// `exited` tells an end, calling `meanwhile` every few ms; false after `ms`.
function waitEnded(exited: () => number | null | undefined, ms: number, meanwhile?: () => void): boolean {
  const deadline = Date.now() + ms;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    if (exited() !== undefined) return true;
    if (Date.now() > deadline) return false;
    meanwhile?.();
    Atomics.wait(cell, 0, 0, 5);
  }
}

// One line to the FIFO, without waiting: 'not-yet' while it is not there or no one reads it.
function writeLine(fifo: string, text: string): boolean | 'not-yet' {
  let fd: number;
  try {
    const stat = lstatSync(fifo);
    if (!stat.isFIFO() || stat.uid !== process.getuid?.()) return false;
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENXIO' ? 'not-yet' : false;
  }
  try {
    const data = Buffer.from(`${text}\n`);
    // An empty FIFO takes 64 KiB at once; arguments are a few hundred bytes.
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
    removeFifo(fifo);
  }
}

function removeFifo(fifo: string): void {
  try {
    const stat = lstatSync(fifo);
    if (stat.isFIFO() && stat.uid === process.getuid?.()) unlinkSync(fifo);
  } catch {
    // Gone already (the supervisor removes it too).
  }
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

// The state and parent of PID, and a zombie's exit code (null: by a signal) (proc-table.ts).
export function procState(pid: number): {state: string; ppid: number; exitCode: number | null} | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  const status = stat.exitStatus;
  return {state: stat.state, ppid: stat.ppid, exitCode: status !== undefined && (status & 0x7f) === 0 ? (status >> 8) & 0xff : null};
}
