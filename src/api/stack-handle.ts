import {callControl} from '../host/control/control-client.js';
import {supervisorPeer} from '../host/find-supervisor.js';
import type {ProjectFiles} from '../host/project-files.js';
import type {HelloResult, PsResult} from '../host/control/protocol.js';
import type {ExecResult, LogLine, RuntimeKind} from '../runtime/types.js';
import type {ServiceStatus} from '../supervisor/types.js';
import {downStack} from '../stack/down-stack.js';
import {streamFromStack} from '../stack/stack-stream.js';

export interface StackLogsOptions {
  // The last N lines of each service (default: all that are kept).
  tail?: number;
}

export interface StackDownOptions {
  // Also remove the stack's named volumes (`down --volumes`).
  volumes?: boolean;
  // Per-service stop timeout instead of each service's stopTimeout.
  timeoutMs?: number;
}

// A running stack, as `up()` hands it to a test suite: the same operations as
// the CLI's `ps`, `logs`, `restart`, `exec` and `down`, spoken to the stack's
// supervisor over its control socket (one request per call, peer-checked).
export class SidecarStack {
  readonly project: string;
  readonly runtime: RuntimeKind;
  // The project directory (where sidecar.yaml is) and the supervisor's pid.
  readonly dir: string;
  readonly supervisorPid: number;
  // False when up() found the stack already running (started by someone else):
  // down() then leaves it running, as `sidecar run` does on a live stack.
  readonly owned: boolean;
  private downed?: Promise<void>;

  constructor(
    private readonly files: ProjectFiles,
    private readonly socket: string,
    hello: HelloResult,
    owned: boolean,
  ) {
    this.project = hello.project;
    this.runtime = hello.runtime;
    this.dir = hello.dir;
    this.supervisorPid = hello.pid;
    this.owned = owned;
  }

  // `host:port` at which this machine reaches a service's port, under the runtime
  // in use: 127.0.0.1:PORT for processes; for containers the pod's address or the
  // port the engine published. SERVICE is a name, or POD/SERVICE with several pods.
  async endpoint(service: string, port: number): Promise<string> {
    const answer = await this.call<{host: string; port: number}>({method: 'endpoint', service, port});
    return `${answer.host}:${answer.port}`;
  }

  // Every service with its state, health, restarts and exit code (`ps --json`).
  async ps(): Promise<ServiceStatus[]> {
    return (await this.call<PsResult>({method: 'ps'})).services;
  }

  // The lines a service (or, without one, every service) has written so far.
  async logs(service?: string, options: StackLogsOptions = {}): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    await streamFromStack(this.files, this.socket, {method: 'logs', services: service ? [service] : [], follow: false, ...(options.tail !== undefined ? {tail: options.tail} : {})}, (batch) => lines.push(...(batch as LogLine[])));
    return lines;
  }

  // Restart services (their sidecars or app stay up), resolved once they run again.
  async restart(...services: string[]): Promise<void> {
    await this.call({method: 'restart', services});
  }

  // Run a command where a service runs (its container, or its environment on the host).
  async exec(service: string, command: string[]): Promise<ExecResult> {
    return this.call<ExecResult>({method: 'exec', service, command});
  }

  // Stop the stack in order and remove what it created; once, however often called.
  async down(options: StackDownOptions = {}): Promise<void> {
    if (!this.owned) return;
    this.downed ??= downStack(this.files, {volumes: options.volumes ?? false, ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {})}).then(() => undefined);
    return this.downed;
  }

  private call<T>(request: Parameters<typeof callControl>[1]): Promise<T> {
    return callControl<T>(this.socket, request, {peer: supervisorPeer(this.supervisorPid)});
  }
}
