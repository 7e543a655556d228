import {existsSync} from 'node:fs';
import {SidecarError} from '../errors/index.js';
import {callControl} from '../host/control/control-client.js';
import {assertStateTree} from '../runtime/safe-state-dir.js';
import {readStateRecord, readSupervisorRecord, rememberLastRun, removeFile, type StateRecord} from '../host/state-file.js';
import type {RuntimeKind, UnitIdentity} from '../runtime/types.js';
import {SETTLE_WAIT_MS, unsettled} from '../host/claim-project.js';
import {findSupervisor, supervisorPeer, type LiveSupervisor} from '../host/find-supervisor.js';
import {isRecordedProcess, isSameProcess} from '../runtime/process/process-start-time.js';
import {tryLock} from '../host/project-lock.js';
import type {ProjectFiles} from '../host/project-files.js';
import {reapLeftovers} from '../host/reap-leftovers.js';
import {checkProcessOwner} from '../host/socket-trust.js';
import {waitForExit} from '../runtime/process/wait-exit.js';

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
  // `down --volumes` with nothing running: the named volumes removed (down-volumes.ts).
  volumesRemoved?: string[];
}

// `down`: ask the supervisor to stop in order and exit; if it is gone (SIGKILL)
// or does not answer (stopped, busy: killed here, after an identity check, as
// systemd escalates a stop that times out), stop the survivors recorded in
// state.json, identity-checked, holding the project lock so that no `up` starts
// meanwhile. A stack still starting is waited for, then stopped. Removes the
// runtime files (supervisor.json, state.json, socket); keeps `.sidecar/logs`.
export async function downStack(files: ProjectFiles, options: {timeoutMs?: number; volumes: boolean}): Promise<DownResult> {
  // Removes files and volumes only in a .sidecar/ with no symlink in it (issue 9.7).
  assertStateTree(files.dir);
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    let live: LiveSupervisor | undefined;
    let hung = false;
    try {
      live = await findSupervisor(files);
    } catch (error) {
      if (!isNotResponding(error)) throw error;
      hung = true;
    }
    if (live) {
      const stopped = await askToStop(live, files, options);
      if (stopped) return stopped;
      // It died mid-way, or went silent: the crash path below.
      hung = isSameProcess(live.record.pid, live.record.startTime);
    }
    if (hung) await killHungSupervisor(files);
    const attempt = tryLock(files, 'down');
    if ('lock' in attempt) {
      try {
        return await reapUnderLock(files, options);
      } finally {
        attempt.lock.release();
      }
    }
    // Held by a live command that does not answer yet: an `up` spawning its supervisor, or another `down` reaping.
    if (Date.now() > deadline) throw unsettled(files, attempt.heldBy, SETTLE_WAIT_MS);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function askToStop(live: LiveSupervisor, files: ProjectFiles, options: {timeoutMs?: number; volumes: boolean}): Promise<DownResult | undefined> {
  try {
    await callControl(live.socket, {method: 'down', volumes: options.volumes, ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {})}, {peer: supervisorPeer(live.hello.pid)});
  } catch (error) {
    if (isNotResponding(error)) return undefined;
    // The supervisor closed the connection: it may still finish its shutdown; if not, it is reaped.
    if (!(await waitForExit(live.hello.pid, live.record.startTime, 5000))) return undefined;
    if (existsSync(files.supervisor)) return undefined;
  }
  await waitForExit(live.hello.pid, live.record.startTime, 5000);
  const stopped: DownResult = {outcome: 'stopped', project: live.hello.project, supervisorPid: live.hello.pid, reaped: 0};
  // The stopped supervisor released the project when it exited: an `up` waiting
  // for it may already hold it and have written its own manifest.json and
  // state.json. Only under the lock are these files still the stopped stack's.
  const attempt = tryLock(files, 'down');
  if (!('lock' in attempt)) return stopped;
  try {
    const state = readStateRecord(files.state);
    rememberLastRun(state, files.lastRun);
    removeFile(files.state);
    removeFile(files.manifest);
    return {...stopped, ...(state ? {runtime: state.runtime} : {})};
  } finally {
    attempt.lock.release();
  }
}

// SIGKILL the recorded host, only if it is still that process (pid + start time) and ours.
async function killHungSupervisor(files: ProjectFiles): Promise<void> {
  const record = readSupervisorRecord(files.supervisor);
  if (!record || record.pid === process.pid || !isRecordedProcess(record.pid, record.startTime, record.bootId)) return;
  checkProcessOwner(record.pid);
  process.stderr.write(`${supervisorPeer(record.pid)} does not answer: killing it, then stopping what it started\n`);
  try {
    process.kill(record.pid, 'SIGKILL');
  } catch {
    // Gone in between: fine.
  }
  await waitForExit(record.pid, record.startTime, 5000);
}

async function reapUnderLock(files: ProjectFiles, options: {volumes: boolean}): Promise<DownResult> {
  const state = readStateRecord(files.state);
  if (!state && !existsSync(files.supervisor)) return {outcome: 'nothing', reaped: 0};
  const {loadManifest} = await import('../manifest/load.js');
  const result = await reapLeftovers(files, loadManifest, {volumes: options.volumes});
  rememberLastRun(state, files.lastRun);
  removeFile(files.state);
  return {
    outcome: state?.phase === 'done' && result.reaped.length === 0 ? 'nothing' : 'reaped',
    ...(state ? {project: state.project, runtime: state.runtime, reapedServices: servicesOf(state, result.reaped)} : {}),
    ...(result.supervisorPid !== undefined ? {supervisorPid: result.supervisorPid} : {}),
    reaped: result.reaped.length,
  };
}

// The services whose recorded unit (pid or container id) is among those stopped;
// escaped children and the pod count as units but name no service of their own.
function servicesOf(state: StateRecord, reaped: UnitIdentity[]): string[] {
  const pids = new Set(reaped.flatMap((i) => (i.kind === 'process' ? [i.pid] : [])));
  const containers = new Set(reaped.flatMap((i) => (i.kind === 'docker' ? [i.containerId] : [])));
  return state.services.filter((s) => (s.pid !== null && pids.has(s.pid)) || (s.containerId !== null && containers.has(s.containerId))).map((s) => s.name);
}

function isNotResponding(error: unknown): boolean {
  return error instanceof SidecarError && error.code === 'SIDECAR_NOT_RESPONDING';
}
