import {callControl, isNotListening, notResponding, type CallOptions} from '../host/control/control-client.js';
import {SidecarError} from '../errors/index.js';
import {supervisorPeer} from '../host/find-supervisor.js';
import {readSupervisorRecord} from '../host/state-file.js';
import {isSameSupervisor, type SupervisorIdentity} from '../host/supervisor-identity.js';
import {isSameProcess} from '../runtime/process/process-start-time.js';
import type {ProjectFiles} from '../host/project-files.js';
import type {HelloResult, PsResult} from '../host/control/protocol.js';
import type {ExecResult, LogLine, RuntimeKind} from '../runtime/types.js';
import type {ServiceStatus} from '../supervisor/types.js';
import {downStack} from '../stack/down-stack.js';
import {check, checkCommand, checkOptions, checkPort, checkService, checkServices} from './api-arguments.js';

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
// Arguments are checked here (api-arguments.ts). Once the stack is down (this
// handle's down(), or `sidecar down` elsewhere) every call but down() rejects
// with SIDECAR_NOT_RUNNING, not the socket's ENOENT (found by a new user's trial).
// The handle is bound to its supervisor (pid + start time), not to the socket's
// path, which every supervisor of the directory binds: once another stack runs
// there, every call, down() included, rejects and leaves that stack alone.
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
  // The supervisor that answered up(): every request is addressed to it (ControlRequest.to).
  private readonly supervisor: SupervisorIdentity;

  constructor(
    private readonly files: ProjectFiles,
    private readonly socket: string,
    hello: HelloResult,
    owned: boolean,
    startTime: string | undefined,
  ) {
    this.project = hello.project;
    this.runtime = hello.runtime;
    this.dir = hello.dir;
    this.supervisorPid = hello.pid;
    this.owned = owned;
    this.supervisor = {pid: hello.pid, ...(startTime === undefined ? {} : {startTime})};
  }

  // `host:port` at which this machine reaches a service's port, under the runtime
  // in use: 127.0.0.1:PORT for processes; for containers the pod's address or the
  // port the engine published. SERVICE is a name, or POD/SERVICE with several pods.
  async endpoint(service: string, port: number): Promise<string> {
    this.assertRunning('endpoint');
    checkService('stack.endpoint()', service);
    checkPort('stack.endpoint()', port);
    const answer = await this.call<{host: string; port: number}>('endpoint', {method: 'endpoint', service, port});
    return `${answer.host}:${answer.port}`;
  }

  // Every service with its state, health, restarts and exit code (`ps --json`).
  async ps(): Promise<ServiceStatus[]> {
    this.assertRunning('ps');
    return (await this.call<PsResult>('ps', {method: 'ps'})).services;
  }

  // The lines a service (or, without one, every service) has written so far.
  async logs(service?: string, options: StackLogsOptions = {}): Promise<LogLine[]> {
    this.assertRunning('logs');
    if (service !== undefined) checkService('stack.logs()', service);
    checkOptions('stack.logs()', options, LOGS_OPTIONS, "stack.logs('app', {tail: 100})");
    const lines: LogLine[] = [];
    // Not streamFromStack: that takes a stack gone meanwhile for the end of a stream (`logs -f`); here it is an error.
    await this.call('logs', {method: 'logs', services: service ? [service] : [], follow: false, ...(options.tail !== undefined ? {tail: options.tail} : {})}, {onData: (batch) => lines.push(...(batch as LogLine[]))});
    return lines;
  }

  // Restart services (their sidecars or app stay up), resolved once they run again.
  async restart(...services: string[]): Promise<void> {
    this.assertRunning('restart');
    checkServices('stack.restart()', services);
    await this.call('restart', {method: 'restart', services});
  }

  // Run a command where a service runs (its container, or its environment on the host).
  // The command is an array of words (`['sh', '-c', 'echo hi']` for a shell line), never a string.
  async exec(service: string, command: string[]): Promise<ExecResult> {
    this.assertRunning('exec');
    checkService('stack.exec()', service);
    checkCommand('stack.exec()', command);
    return this.call<ExecResult>('exec', {method: 'exec', service, command});
  }

  // Stop the stack in order and remove what it created; once, however often called.
  // Only its own stack: once another supervisor runs the directory, that one is left running.
  async down(options: StackDownOptions = {}): Promise<void> {
    checkOptions('stack.down()', options, DOWN_OPTIONS, 'stack.down({timeoutMs: 5000})');
    if (!this.owned) return;
    if (this.downed === undefined && !this.isOurs() && this.successor() !== undefined) throw this.gone('down');
    this.downed ??= downStack(this.files, {volumes: options.volumes ?? false, ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {}), only: this.supervisor}).then(
      () => undefined,
      (error: unknown) => {
        if (this.isOurs()) throw error;
        // Refused because another stack runs here (down-live.ts `only`): nothing was brought down by this handle.
        this.downed = undefined;
        throw this.successor() === undefined ? error : this.gone('down', error);
      },
    );
    return this.downed;
  }

  // down() was called on a stack this handle owns: nothing answers for it any more (or soon will not).
  // Its supervisor gone: whatever answers at the socket now is not its stack. A /proc read, no round trip.
  private assertRunning(method: string): void {
    if (this.downed !== undefined) {
      throw new SidecarError('SIDECAR_NOT_RUNNING', `stack.${method}(): ${this.project} was brought down by stack.down(); ${method} needs a running stack`, {
        suggestion: `call ${method} before down(), or up() again for a new stack (its log files stay in ${this.files.logs}: \`sidecar logs\` there reads them)`,
      });
    }
    if (!this.isOurs()) throw this.gone(method);
  }

  // The supervisor this handle was made for is still that process (pid + start time).
  private isOurs(): boolean {
    return isSameProcess(this.supervisor.pid, this.supervisor.startTime);
  }

  // The pid of another live supervisor that supervisor.json names for this directory now, if any.
  private successor(): number | undefined {
    let record: ReturnType<typeof readSupervisorRecord>;
    try {
      record = readSupervisorRecord(this.files.supervisor);
    } catch {
      return undefined;
    }
    if (!record || typeof record.pid !== 'number' || isSameSupervisor(this.supervisor, record)) return undefined;
    return isSameProcess(record.pid, record.startTime) ? record.pid : undefined;
  }

  // This handle's supervisor has exited; say so, and name the supervisor that runs the directory now.
  private gone(method: string, cause?: unknown): SidecarError {
    const other = this.successor();
    const who = `its supervisor (pid ${this.supervisorPid})`;
    if (other !== undefined) {
      return new SidecarError('SIDECAR_NOT_RUNNING', `stack.${method}(): ${this.project} of this handle is no longer running: ${who} has exited, and another supervisor (pid ${other}) now runs the stack in ${this.dir}; this handle never drives a stack it did not start`, {
        suggestion: 'take a handle on the new stack with up() (it finds the running stack, with owned: false), or use the handle of whoever started it',
        ...(cause === undefined ? {} : {cause}),
      });
    }
    return new SidecarError('SIDECAR_NOT_RUNNING', `stack.${method}(): ${this.project} is no longer running: ${who} has exited`, {
      suggestion: `it was stopped (\`sidecar down\`) or its supervisor exited (see ${this.files.supervisorLog}); up() again starts a new stack`,
      ...(cause === undefined ? {} : {cause}),
    });
  }

  // One request, addressed to this handle's supervisor: another one answering at the
  // same path (its stack replaced between the check above and the connection) refuses it.
  // A supervisor no longer listening (the stack stopped by `sidecar down`, or its
  // supervisor gone) is SIDECAR_NOT_RUNNING, as the CLI says when no stack runs.
  private async call<T>(method: string, request: Parameters<typeof callControl>[1], options: CallOptions = {}): Promise<T> {
    try {
      return await callControl<T>(this.socket, {...request, to: this.supervisor}, {peer: supervisorPeer(this.supervisorPid), connectTimeoutMs: CONNECT_TIMEOUT_MS, ...options});
    } catch (error) {
      if (!this.isOurs()) throw this.gone(method, error);
      if (!isNotListening(error)) throw error;
      // Nobody accepted the connection in time: a supervisor stopped or busy, not one gone.
      if ((error as NodeJS.ErrnoException).code === 'ETIMEDOUT_CONNECT') throw notResponding(supervisorPeer(this.supervisorPid), CONNECT_TIMEOUT_MS);
      throw new SidecarError('SIDECAR_NOT_RUNNING', `stack.${method}(): ${this.project} is no longer running: its supervisor (pid ${this.supervisorPid}) does not answer at ${this.socket}`, {
        suggestion: `it was stopped (\`sidecar down\`) or its supervisor exited (see ${this.files.supervisorLog}); up() again starts a new stack`,
        cause: error,
      });
    }
  }
}

// callControl's own default, named here for the message.
const CONNECT_TIMEOUT_MS = 2000;

// docs/api.md's options of logs() and down(), each with what it takes.
const LOGS_OPTIONS = {tail: check.count()} satisfies Record<keyof StackLogsOptions, unknown>;
const DOWN_OPTIONS = {volumes: check.boolean(), timeoutMs: check.milliseconds(0)} satisfies Record<keyof StackDownOptions, unknown>;
