import {constants} from 'node:os';
import {execa} from 'execa';
import {spawnFailureCode, spawnFailureLine} from '../runtime/process/host-exec.js';

// `run`'s CMD, with what it starts. Found by a new user's trial: a SIGTERM to `run`
// reached CMD's shell only, and its children (`sh -c 'sleep 41 & sleep 42'`) went on
// under init; a SIGKILL after the grace also hit the shell only. Where stdin is not
// a terminal (CI), CMD gets a process group of its own: a signal to `run` goes to the
// whole group, and once CMD has ended, what it left in its group is stopped too, as
// `up` leaves nothing of a service. On a terminal CMD stays in the terminal's
// foreground group, which the terminal's Ctrl-C reaches whole, and where CMD may read
// the terminal (a background group reading it would be stopped by SIGTTIN).
export interface CommandRun {
  result: Promise<Awaited<ReturnType<typeof execa>>>;
  // Passes a signal `run` got on to CMD (its group, where it has one).
  forward(signal: NodeJS.Signals): void;
  // Once CMD has ended: SIGTERM to what is left in its group, SIGKILL after `graceMs`.
  endGroup(graceMs?: number): Promise<void>;
}

// How long what CMD left gets between SIGTERM and SIGKILL, and what `run` waits after a forwarded signal before SIGKILL.
const GRACE_MS = 5000;

export function startCommand(command: string[], env: NodeJS.ProcessEnv): CommandRun {
  const [file, ...args] = command;
  const grouped = !process.stdin.isTTY;
  const child = execa(file!, args, {stdio: 'inherit', reject: false, env, detached: grouped, forceKillAfterDelay: grouped ? false : GRACE_MS});
  const pid = child.pid;
  const signalGroup = (signal: NodeJS.Signals | 0): boolean => {
    if (pid === undefined) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  let killTimer: NodeJS.Timeout | undefined;
  void child.finally(() => clearTimeout(killTimer));
  return {
    result: child,
    forward(signal) {
      if (!grouped) {
        // The terminal's Ctrl-C has reached CMD already (the same foreground group).
        // Not a CMD that could not be spawned (no pid: Node would signal our own group).
        if (signal !== 'SIGINT' && child.pid !== undefined) child.kill(signal);
        return;
      }
      signalGroup(signal);
      killTimer ??= setTimeout(() => signalGroup('SIGKILL'), GRACE_MS);
      killTimer.unref();
    },
    async endGroup(graceMs = GRACE_MS) {
      if (!grouped || !signalGroup(0)) return;
      signalGroup('SIGTERM');
      for (const deadline = Date.now() + graceMs; Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (!signalGroup(0)) return;
      }
      signalGroup('SIGKILL');
    },
  };
}

export function commandExit(result: Awaited<ReturnType<typeof execa>>, file: string): number {
  if (result.exitCode !== undefined) return result.exitCode;
  if (result.signal) return 128 + (constants.signals[result.signal] ?? 0);
  // CMD could not start at all: said, and its code, as a shell (and `exec`) would:
  // 127 not found, 126 found but not executable (was 127 with execa's raw message,
  // found by a new user's trial).
  process.stderr.write(`sidecar: ${spawnFailureLine(file, result.code, result.shortMessage)}\n`);
  return result.code === undefined ? 127 : spawnFailureCode(result.code);
}
