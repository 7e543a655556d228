import {existsSync} from 'node:fs';
import {SidecarError} from '../errors/index.js';
import {callControl} from '../host/control/control-client.js';
import {forgetStoppedStack} from '../host/state-file.js';
import type {RuntimeKind} from '../runtime/types.js';
import {findSupervisor, supervisorPeer, type LiveSupervisor} from '../host/find-supervisor.js';
import {isSameProcess} from '../runtime/process/process-start-time.js';
import {tryLock} from '../host/project-lock.js';
import type {ProjectFiles} from '../host/project-files.js';
import {waitForExit} from '../runtime/process/wait-exit.js';
import {isSameSupervisor, type SupervisorIdentity} from '../host/supervisor-identity.js';

// The common `down`: a live supervisor asked to stop in order, and waited for.
// Apart from down-stack.ts (the crash path: reaping, loading the manifest, the
// runtimes), so that bin/run.js runs it from a bundle of its own (src/lean-down.ts)
// without loading those (issue 13.1).

export interface DownResult {
  // What was found: a live supervisor that stopped the stack, leftovers of a dead one, or nothing.
  outcome: 'stopped' | 'reaped' | 'nothing';
  project?: string;
  supervisorPid?: number;
  // Units stopped after a supervisor death (containers or processes, escaped children included)...
  reaped: number;
  // ...and the services they belonged to, as far as state.json names them.
  reapedServices?: string[];
  // The runtime the stack ran with (state.json), when known.
  runtime?: RuntimeKind;
  // No supervisor ever took the stack over: an `up` killed before its hand-over left the pod's infra (infra-head-start.ts).
  leftBy?: 'interrupted up';
  // `down --volumes`: the named volumes removed, by the stopped stack or, with nothing
  // running, by down-volumes.ts.
  volumesRemoved?: string[];
  // Stopped, but its files in .sidecar/ could not be forgotten (a read-only .sidecar/): why.
  filesLeft?: string;
}

export interface DownOptions {
  timeoutMs?: number;
  volumes: boolean;
  // Only the stack of this supervisor (a Node API handle's down()): one that another
  // supervisor runs in the directory since is left alone, and so are its leftovers.
  only?: SupervisorIdentity;
}

// Asks the project's live supervisor to stop: the result once it stopped and
// exited; else whether one is there that does not answer (or died mid-way), for
// the crash path.
export async function stopLive(files: ProjectFiles, options: DownOptions): Promise<{stopped: DownResult} | {hung: boolean}> {
  let live: LiveSupervisor | undefined;
  try {
    live = await findSupervisor(files);
  } catch (error) {
    if (!isNotResponding(error)) throw error;
    return {hung: true};
  }
  if (!live) return {hung: false};
  if (options.only && !isSameSupervisor(options.only, live.record)) throw notThatStack(files, options.only, live.record.pid);
  const stopped = await askToStop(live, files, options);
  if (stopped) return {stopped};
  // It died mid-way, or went silent: the crash path.
  return {hung: isSameProcess(live.record.pid, live.record.startTime)};
}

async function askToStop(live: LiveSupervisor, files: ProjectFiles, options: DownOptions): Promise<DownResult | undefined> {
  let volumesRemoved: string[] | undefined;
  try {
    // With `only`, addressed: a supervisor that took the socket over since refuses it (the next round then finds it, and leaves it).
    const request = {method: 'down', volumes: options.volumes, ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {}), ...(options.only ? {to: options.only} : {})} as const;
    const answer = await callControl<{volumesRemoved?: unknown}>(live.socket, request, {peer: supervisorPeer(live.hello.pid)});
    if (Array.isArray(answer?.volumesRemoved) && answer.volumesRemoved.every((name) => typeof name === 'string')) volumesRemoved = answer.volumesRemoved as string[];
  } catch (error) {
    if (isNotResponding(error)) return undefined;
    // The supervisor closed the connection: it may still finish its shutdown; if not, it is reaped.
    if (!(await waitForExit(live.hello.pid, live.record.startTime, 5000))) return undefined;
    if (existsSync(files.supervisor)) return undefined;
  }
  await waitForExit(live.hello.pid, live.record.startTime, 5000);
  const stopped: DownResult = {outcome: 'stopped', project: live.hello.project, supervisorPid: live.hello.pid, reaped: 0, ...(volumesRemoved ? {volumesRemoved} : {})};
  // The stopped supervisor released the project when it exited: an `up` waiting
  // for it may already hold it and have written its own manifest.json and
  // state.json. Only under the lock are these files still the stopped stack's.
  // The stack is stopped whatever follows: a .sidecar/ that cannot be written
  // (made read-only under a running stack) leaves its files, said as such, not
  // as a failed `down` (found by a new user's trial).
  let attempt: ReturnType<typeof tryLock>;
  try {
    attempt = tryLock(files, 'down');
  } catch (error) {
    return {...stopped, filesLeft: filesLeftBecause(error)};
  }
  if (!('lock' in attempt)) return stopped;
  try {
    const state = forgetStoppedStack(files);
    return {...stopped, ...(state ? {runtime: state.runtime} : {})};
  } catch (error) {
    return {...stopped, filesLeft: filesLeftBecause(error)};
  } finally {
    attempt.lock.release();
  }
}

// `only` names a supervisor that no longer runs the stack here: another one does (or left these leftovers).
export function notThatStack(files: ProjectFiles, only: SupervisorIdentity, other: number): SidecarError {
  return new SidecarError('SIDECAR_NOT_RUNNING', `the stack in ${files.dir} is another supervisor's (pid ${other}), not that of pid ${only.pid}: left as it is`, {
    suggestion: '`sidecar ps` shows it; `sidecar down` stops it',
  });
}

function filesLeftBecause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? (error as {cause?: NodeJS.ErrnoException}).cause?.code;
  return typeof code === 'string' ? code : (error as Error).message;
}

function isNotResponding(error: unknown): boolean {
  return error instanceof SidecarError && error.code === 'SIDECAR_NOT_RESPONDING';
}
