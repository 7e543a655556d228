import {SidecarError} from '../errors/index.js';
import {allServices} from '../manifest/types.js';
import {callControl} from '../host/control/control-client.js';
import type {HelloResult} from '../host/control/protocol.js';
import {readStateRecord, removeFile, writeJsonAtomic} from '../host/state-file.js';
import {supervisorPeer, type LiveSupervisor} from '../host/find-supervisor.js';
import type {UpPlan} from './prepare-up.js';
import {spawnSupervisor} from '../host/spawn-supervisor.js';
import {failureError} from '../host/start-failure.js';
import {waitForExit} from '../runtime/process/wait-exit.js';

export interface DetachedOptions {
  wait: boolean;
  timeoutMs?: number;
  // `up -d --watch` / `up --wait --watch`.
  watch?: boolean;
  // The stack stops when this process is gone (the Node API; spawn-supervisor.ts).
  owner?: {pid: number; startTime?: string};
}

// `up -d` returns once the detached supervisor answers; `up --wait` once every
// service is ready, or throws the failure (exit 5) after the supervisor has
// torn the stack down, so nothing is left running when CI sees the error.
export async function upDetached(plan: UpPlan, options: DetachedOptions): Promise<HelloResult> {
  if (!options.wait) return (await spawn(plan, options)).hello;
  // Ctrl-C (SIGTERM) of `up --wait` interrupts the command that brings the stack up:
  // the supervisor it started stops what it started, as foreground `up` does, and
  // `up` exits 130 (143) once it is gone. A second Ctrl-C kills at once.
  let interrupted: NodeJS.Signals | undefined;
  let supervisorPid: number | undefined;
  const forward = (signal: NodeJS.Signals, first: boolean): void => {
    if (supervisorPid === undefined) return;
    try {
      // The supervisor stops in order on SIGTERM, and at once on a second one.
      process.kill(supervisorPid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    if (first) process.stderr.write(`\nstopping ${plan.manifest.name} (${signal}; ${signal === 'SIGINT' ? 'press Ctrl-C again' : `send ${signal} again`} to kill at once)\n`);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    const first = interrupted === undefined;
    interrupted ??= signal;
    forward(signal, first);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const live = await spawn(plan, options);
    supervisorPid = live.hello.pid;
    // A signal that came while spawning: the supervisor is known only now.
    if (interrupted) forward(interrupted, true);
    let ready: HelloResult;
    try {
      ready = await waitReady(plan, live);
    } catch (error) {
      if (interrupted) throw new InterruptedError(interrupted);
      throw error;
    }
    // Ready just as the signal came: it is being stopped all the same.
    if (interrupted) {
      await waitForExit(live.hello.pid, live.record.startTime, teardownBudget(plan));
      throw new InterruptedError(interrupted);
    }
    return ready;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// `up --wait` interrupted by a signal: the stack it was bringing up is stopped.
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }

  get exitCode(): number {
    return this.signal === 'SIGTERM' ? 143 : 130;
  }
}

async function spawn(plan: UpPlan, options: DetachedOptions): Promise<LiveSupervisor> {
  let live: LiveSupervisor;
  // Issue 13.2: the pod's infra starts now, while the supervisor's Node starts.
  const engine = plan.runtime === 'docker' ? plan.engine : undefined;
  const head = engine ? await import('../runtime/docker/infra-head-start.js') : undefined;
  // Recorded before it is asked for: an `up` killed before the hand-over leaves the record, and `down` removes the container.
  const headStart = engine && head ? await head.headStartInfra(plan.manifest, engine, (record) => writeJsonAtomic(plan.files.headStart, record), () => removeFile(plan.files.headStart)) : undefined;
  // No supervisor took the infra over: it goes with this failed start.
  const abandoned = engine && head && headStart ? () => head.dropHeadStart(engine, headStart) : undefined;
  try {
    live = await spawnSupervisor(plan.files, {
      manifestFile: plan.manifest.file,
      runtime: plan.runtime,
      only: plan.only,
      ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {}),
      ...(plan.forceBuild ? {forceBuild: true} : {}),
      ...(options.watch ? {watch: true} : {}),
      ...(plan.lock ? {lockToken: plan.lock.token} : {}),
      ...(options.owner ? {owner: options.owner} : {}),
      ...(headStart ? {headStart} : {}),
    }, plan.manifest, abandoned);
  } finally {
    // Handed over (a supervisor that runs holds the infra), or removed with the failed start.
    if (headStart) removeFile(plan.files.headStart);
    // The supervisor took the lock over (or died: then it is stale, or still ours and removed).
    plan.lock?.release();
  }
  return live;
}

async function waitReady(plan: UpPlan, live: LiveSupervisor): Promise<HelloResult> {
  const hello = live.hello;
  try {
    await callControl(live.socket, {method: 'wait'}, {peer: supervisorPeer(hello.pid)});
    return {...hello, phase: 'ready'};
  } catch (error) {
    await waitForExit(hello.pid, live.record.startTime, teardownBudget(plan));
    if (error instanceof SidecarError && error.code !== 'SIDECAR_NOT_RUNNING') throw error;
    // The supervisor went away before answering: its last words are in state.json.
    const failure = readStateRecord(plan.files.state)?.failure;
    if (failure) throw failureError(failure);
    throw new SidecarError('SIDECAR_STACK_FAILED', `the supervisor exited before the stack was ready: ${(error as Error).message}`, {suggestion: `see ${plan.files.supervisorLog} and \`sidecar logs\``});
  }
}

// Long enough for the supervisor to stop every service in order.
function teardownBudget(plan: UpPlan): number {
  return allServices(plan.manifest).reduce((sum, s) => sum + s.stopTimeoutMs + 1000, 2000);
}
