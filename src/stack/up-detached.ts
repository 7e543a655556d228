import {SidecarError} from '../errors/index.js';
import {servicesInStartOrder} from '../manifest/types.js';
import {callControl} from '../host/control/control-client.js';
import type {HelloResult} from '../host/control/protocol.js';
import {readStateRecord} from '../host/state-file.js';
import {supervisorPeer, type LiveSupervisor} from '../host/find-supervisor.js';
import type {UpPlan} from './prepare-up.js';
import {spawnSupervisor} from '../host/spawn-supervisor.js';
import {failureError} from '../host/start-failure.js';
import {waitForExit} from '../runtime/process/wait-exit.js';

export interface DetachedOptions {
  wait: boolean;
  timeoutMs?: number;
}

// `up -d` returns once the detached supervisor answers; `up --wait` once every
// service is ready, or throws the failure (exit 5) after the supervisor has
// torn the stack down, so nothing is left running when CI sees the error.
export async function upDetached(plan: UpPlan, options: DetachedOptions): Promise<HelloResult> {
  let live: LiveSupervisor;
  try {
    live = await spawnSupervisor(plan.files, {
      manifestFile: plan.manifest.file,
      runtime: plan.runtime,
      only: plan.only,
      ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {}),
      ...(plan.forceBuild ? {forceBuild: true} : {}),
      ...(plan.lock ? {lockToken: plan.lock.token} : {}),
    }, plan.manifest);
  } finally {
    // The supervisor took the lock over (or died: then it is stale, or still ours and removed).
    plan.lock?.release();
  }
  const hello = live.hello;
  if (!options.wait) return hello;
  try {
    await callControl(live.socket, {method: 'wait'}, {peer: supervisorPeer(hello.pid)});
    return {...hello, phase: 'ready'};
  } catch (error) {
    const teardownMs = servicesInStartOrder(plan.manifest).reduce((sum, s) => sum + s.stopTimeoutMs + 1000, 2000);
    await waitForExit(hello.pid, undefined, teardownMs);
    if (error instanceof SidecarError && error.code !== 'SIDECAR_NOT_RUNNING') throw error;
    // The supervisor went away before answering: its last words are in state.json.
    const failure = readStateRecord(plan.files.state)?.failure;
    if (failure) throw failureError(failure);
    throw new SidecarError('SIDECAR_STACK_FAILED', `the supervisor exited before the stack was ready: ${(error as Error).message}`, {suggestion: `see ${plan.files.supervisorLog} and \`sidecar logs\``});
  }
}
