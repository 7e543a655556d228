import path from 'node:path';
import {callControl} from '../host/control/control-client.js';
import {SidecarError} from '../errors/index.js';
import type {HelloResult} from '../host/control/protocol.js';
import {findSupervisor, supervisorPeer} from '../host/find-supervisor.js';
import {processStartTime} from '../runtime/process/process-start-time.js';
import {prepareUp} from '../stack/prepare-up.js';
import {upDetached} from '../stack/up-detached.js';
import {SidecarStack} from './stack-handle.js';
import {check, checkOptions, RUNTIMES} from './api-arguments.js';

export interface UpOptions {
  // The manifest, relative to cwd (default: sidecar.yaml).
  file?: string;
  // Where file is resolved (default: process.cwd()).
  cwd?: string;
  // Where services run (default: auto, as the CLI's --runtime).
  runtime?: 'auto' | 'docker' | 'process';
  // Services (or pods) to start with what they need; default: all.
  services?: string[];
  // Give up if the stack is not ready in this time (ms); the stack is stopped then.
  timeoutMs?: number;
  // Rebuild images of services with `build` (docker).
  build?: boolean;
}

// `sidecar up --wait` for a test suite: resolves once every service is ready,
// rejects with a SidecarError (the CLI's message, code and fix) after tearing
// the stack down if one is not. The stack belongs to this process: if it dies
// without calling down(), the supervisor notices within a second and stops the
// stack, so no test run leaves one behind.
export async function up(options: UpOptions = {}): Promise<SidecarStack> {
  // Before anything starts: a runtime that is not one, a negative timeout, `services: 'app'` or a
  // typo'd option is refused (SIDECAR_USAGE, the CLI's usage error), never run on a default.
  checkOptions('up()', options, UP_OPTIONS, "up({file: 'sidecar.yaml', runtime: 'process'})");
  const file = path.resolve(options.cwd ?? process.cwd(), options.file ?? 'sidecar.yaml');
  const plan = await prepareUp(file, options.runtime ?? 'auto', options.services ?? [], {build: options.build ?? false});
  if (plan.live) {
    // Someone else's stack runs here: use it, never take it down. Both requests are
    // addressed to the supervisor prepareUp found (it refuses them if another took its place).
    const peer = {peer: supervisorPeer(plan.live.pid)};
    const to = {pid: plan.live.pid, ...withStartTime(plan.live.startTime)};
    await callControl(plan.live.socket, {method: 'wait', to}, peer);
    const hello = await callControl<HelloResult>(plan.live.socket, {method: 'hello', to}, peer);
    return new SidecarStack(plan.files, plan.live.socket, hello, false, plan.live.startTime);
  }
  const owner = {pid: process.pid, ...withStartTime(processStartTime(process.pid))};
  const hello = await upDetached(plan, {wait: true, owner, ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {})});
  const live = await findSupervisor(plan.files);
  // The handle is bound to the supervisor just started (its start time from its record), never to another one.
  if (!live || live.record.pid !== hello.pid) throw new SidecarError('SIDECAR_NOT_RUNNING', `${hello.project} was ready but its supervisor (pid ${hello.pid}) no longer answers`, {suggestion: `see ${plan.files.supervisorLog}`});
  return new SidecarStack(plan.files, live.socket, live.hello, true, live.record.startTime);
}

// docs/api.md's table of options, each with what it takes.
const UP_OPTIONS = {
  file: check.string('sidecar.yaml'),
  cwd: check.string('/path/to/project'),
  runtime: check.oneOf(RUNTIMES),
  services: check.words('service names', "['app'] or ['orders', 'payments/proxy']"),
  timeoutMs: check.milliseconds(1),
  build: check.boolean(),
} satisfies Record<keyof UpOptions, unknown>;

function withStartTime(startTime: string | undefined): {startTime?: string} {
  return startTime === undefined ? {} : {startTime};
}
