import {existsSync} from 'node:fs';
import {assertStateTree} from '../runtime/safe-state-dir.js';
import {readStateRecord, readSupervisorRecord, rememberLastRun, removeFile, type StateRecord} from '../host/state-file.js';
import type {UnitIdentity} from '../runtime/types.js';
import {SETTLE_WAIT_MS, unsettled} from '../host/claim-project.js';
import {supervisorPeer} from '../host/find-supervisor.js';
import {isRecordedProcess} from '../runtime/process/process-start-time.js';
import {tryLock} from '../host/project-lock.js';
import type {ProjectFiles} from '../host/project-files.js';
import {reapLeftovers} from '../host/reap-leftovers.js';
import {checkProcessOwner} from '../host/socket-trust.js';
import {waitForExit} from '../runtime/process/wait-exit.js';
import {isSameSupervisor} from '../host/supervisor-identity.js';
import {notThatStack, stopLive, type DownOptions, type DownResult} from './down-live.js';

export type {DownResult} from './down-live.js';

// `down`: ask the supervisor to stop in order and exit; if it is gone (SIGKILL)
// or does not answer (stopped, busy: killed here, after an identity check, as
// systemd escalates a stop that times out), stop the survivors recorded in
// state.json, identity-checked, holding the project lock so that no `up` starts
// meanwhile. A stack still starting is waited for, then stopped. Removes the
// runtime files (supervisor.json, state.json, socket); keeps `.sidecar/logs`.
// `asked`: what src/lean-down.ts already found on its first try (no live supervisor
// that stopped): the first round goes on from there instead of asking again (a
// silent one would cost its whole hello timeout twice).
export async function downStack(files: ProjectFiles, options: DownOptions, asked?: {hung: boolean}): Promise<DownResult> {
  // Removes files and volumes only in a .sidecar/ with no symlink in it (issue 9.7).
  assertStateTree(files.dir);
  const deadline = Date.now() + SETTLE_WAIT_MS;
  let first = asked;
  for (;;) {
    const attempt = first ?? (await stopLive(files, options));
    first = undefined;
    if ('stopped' in attempt) return attempt.stopped;
    if (attempt.hung) await killHungSupervisor(files, options);
    const locked = tryLock(files, 'down');
    if ('lock' in locked) {
      try {
        return await reapUnderLock(files, options);
      } finally {
        locked.lock.release();
      }
    }
    // Held by a live command that does not answer yet: an `up` spawning its supervisor, or another `down` reaping.
    if (Date.now() > deadline) throw unsettled(files, locked.heldBy, SETTLE_WAIT_MS, 'down');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// SIGKILL the recorded host, only if it is still that process (pid + start time), ours, and (with `only`) the one meant.
async function killHungSupervisor(files: ProjectFiles, options: DownOptions): Promise<void> {
  const record = readSupervisorRecord(files.supervisor);
  if (!record || record.pid === process.pid || !isRecordedProcess(record.pid, record.startTime, record.bootId)) return;
  if (options.only && !isSameSupervisor(options.only, record)) throw notThatStack(files, options.only, record.pid);
  checkProcessOwner(record.pid);
  process.stderr.write(`${supervisorPeer(record.pid)} does not answer: killing it, then stopping what it started\n`);
  try {
    process.kill(record.pid, 'SIGKILL');
  } catch {
    // Gone in between: fine.
  }
  await waitForExit(record.pid, record.startTime, 5000);
}

async function reapUnderLock(files: ProjectFiles, options: DownOptions): Promise<DownResult> {
  // Under the lock the record stays put: leftovers of another supervisor than the one meant are not this caller's to stop.
  const record = options.only ? readSupervisorRecord(files.supervisor) : undefined;
  if (options.only && record && typeof record.pid === 'number' && !isSameSupervisor(options.only, record)) throw notThatStack(files, options.only, record.pid);
  const state = readStateRecord(files.state);
  // The pod's infra of an `up` killed before it handed the stack over (infra-head-start.ts).
  const early = existsSync(files.headStart) ? await (await import('../runtime/docker/infra-head-start.js')).clearHeadStart(files) : 0;
  if (!state && !existsSync(files.supervisor)) return early > 0 ? {outcome: 'reaped', runtime: 'docker', reaped: early, leftBy: 'interrupted up'} : {outcome: 'nothing', reaped: 0};
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
// A container says its service by its label, recorded or not (one started ahead
// behind its start gate is in no record: it was counted as a pod).
function servicesOf(state: StateRecord, reaped: UnitIdentity[]): string[] {
  const pids = new Set(reaped.flatMap((i) => (i.kind === 'process' ? [i.pid] : [])));
  const containers = new Set(reaped.flatMap((i) => (i.kind === 'docker' && i.service === undefined ? [i.containerId] : [])));
  const labelled = reaped.flatMap((i) => (i.kind === 'docker' && i.service !== undefined && i.service !== '' && i.service !== 'pod' ? [i.service] : []));
  return [...state.services.filter((s) => (s.pid !== null && pids.has(s.pid)) || (s.containerId !== null && containers.has(s.containerId))).map((s) => s.name), ...labelled];
}
