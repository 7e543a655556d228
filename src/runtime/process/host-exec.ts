import {constants} from 'node:os';
import {execa} from 'execa';
import {currentBootId, readStat} from './proc-table.js';
import {groupGone, killGroupUntilGone, signalGroup, type ProcessIdentity} from './group-signal.js';
import {RUN_MARKER_VAR} from './stack-marker.js';
import {pollUntil} from './wait.js';
import type {ExecOptions, ExecResult} from '../types.js';

// How long the command's group has between a cancel's signal and SIGKILL (as `run` gives its CMD).
const CANCEL_GRACE_MS = 5000;
// Between a timeout's SIGTERM and SIGKILL.
const TIMEOUT_GRACE_MS = 1000;
// How long SIGKILLs are repeated on a group that forks on.
const KILL_GRACE_MS = 1000;

// `exec` under the process runtime: the command on the host, with the service's
// env and cwd (DESIGN). Apart from process-runtime.ts and loaded on first use, so
// that a supervisor that never runs `exec` does not load execa (issue 13.1).
// In a process group of its own (found by a new user's trial: it ran in the
// supervisor's, and the CLI interrupted or killed left it running until `down`):
// a cancel or a timeout stops the whole group, as `docker compose exec` interrupted
// and `run`'s CMD do, and the result comes once nothing of it is left.
export async function runOnHost(file: string, args: string[], where: {cwd: string; env: NodeJS.ProcessEnv}, options: ExecOptions): Promise<ExecResult> {
  const child = execa(file, args, {
    cwd: where.cwd,
    env: where.env,
    extendEnv: false,
    reject: false,
    detached: true,
    ...(options.interactive ? {stdio: 'inherit' as const} : {stdin: options.stdin ? ('pipe' as const) : ('ignore' as const)}),
  });
  if (options.stdin && child.stdin) {
    // A command that exits without reading all of it closes the pipe: not an error.
    child.stdin.on('error', () => undefined);
    options.stdin.pipe(child.stdin);
  }
  // The group is the child's own (pid = pgid from the spawn), never a pid from outside.
  const group = child.pid === undefined ? undefined : execGroup(child.pid, where.env);
  const stops: Array<Promise<void>> = [];
  let ended = false;
  const stop = (signal: NodeJS.Signals, graceMs: number): void => {
    if (group && !ended) stops.push(stopGroup(group, signal, graceMs));
  };
  let timedOut = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          stop('SIGTERM', TIMEOUT_GRACE_MS);
        }, options.timeoutMs);
  const onCancel = (): void => stop(cancelSignal(options.cancel?.reason), CANCEL_GRACE_MS);
  if (options.cancel?.aborted) onCancel();
  else options.cancel?.addEventListener('abort', onCancel, {once: true});
  const result = await child;
  ended = true;
  clearTimeout(timer);
  options.cancel?.removeEventListener('abort', onCancel);
  options.stdin?.unpipe();
  // What the command left in its group after a stop is gone too before the answer.
  await Promise.all(stops);
  // Killed by a signal: 128 + its number, as a shell (and the engine for `docker exec`)
  // reports it, and no error: its death is its result (was exit 1 with execa's message).
  const killedBy = result.exitCode === undefined && !timedOut && result.signal ? 128 + (constants.signals[result.signal] ?? 0) : undefined;
  const exitCode = result.exitCode ?? killedBy ?? (timedOut ? 124 : spawnFailureCode(result.code));
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  // A command that could not even spawn has no stderr: say why in one line, as a shell does.
  const why = timedOut ? `timed out after ${options.timeoutMs}ms` : result.exitCode === undefined && killedBy === undefined ? spawnFailureLine(file, result.code, result.shortMessage) : '';
  return {exitCode, stdout, stderr: stderr || why};
}

function execGroup(pid: number, env: NodeJS.ProcessEnv): ProcessIdentity {
  const bootId = currentBootId();
  const runId = env[RUN_MARKER_VAR];
  return {kind: 'process', pid, pgid: pid, startTime: readStat(pid)?.startTime ?? '0', ...(bootId ? {bootId} : {}), ...(runId ? {runId} : {})};
}

// The signal to the whole group, SIGKILL to what is left of it after graceMs.
async function stopGroup(group: ProcessIdentity, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  signalGroup(group, signal);
  if (await pollUntil(() => groupGone(group), graceMs, 20)) return;
  await killGroupUntilGone(group, KILL_GRACE_MS);
}

function cancelSignal(reason: unknown): NodeJS.Signals {
  return typeof reason === 'string' && /^SIG[A-Z]+$/.test(reason) ? (reason as NodeJS.Signals) : 'SIGTERM';
}

// A command that could not start exits as a POSIX shell says (and `docker exec`
// does): 127 not found, 126 found but not executable; anything else is 1. Also
// `run -- CMD`'s (run-with-stack.ts).
export function spawnFailureLine(file: string, code: string | undefined, fallback: string | undefined): string {
  if (code === 'ENOENT') return `${file}: command not found`;
  if (code === 'EACCES') return `${file}: permission denied`;
  if (code === 'ENOEXEC') return `${file}: cannot execute (not a program or script)`;
  return fallback ?? `${file}: could not be run`;
}

export function spawnFailureCode(code: string | undefined): number {
  if (code === 'ENOENT') return 127;
  if (code === 'EACCES' || code === 'ENOEXEC') return 126;
  return 1;
}
