import {PassThrough} from 'node:stream';
import {FileFollower} from '../logs/file-follower.js';
import {readLogs} from '../logs/log-reader.js';
import {findService, allServices, type Manifest, type Service} from '../manifest/types.js';
import {catalogOf, resolveServiceRefs} from '../manifest/service-ref.js';
import type {ControlChannel} from './control/control-server.js';
import {FORWARDED_SIGNALS, type ControlRequest, type ForwardedSignal, type HelloResult, type PsResult, type StackPhase, type TopResult} from './control/protocol.js';
import type {LogStore} from '../logs/log-store.js';
import type {Runtime} from '../runtime/types.js';
import type {Stack, UpdateResult} from '../supervisor/stack.js';
import type {LifecycleEvent, LogLine, ServiceStatus} from '../supervisor/types.js';
import type {FailureRecord} from './state-file.js';
import {unknownService} from '../manifest/unknown-service.js';
import {failureError} from './start-failure.js';
import {assertExecTarget} from './exec-target.js';
import {SidecarError} from '../errors/index.js';
import {isSameSupervisor, thisProcess} from './supervisor-identity.js';

const BATCH_LINES = 2000;
// A batch is also cut near this many characters, so every frame stays far under the client's cap.
const BATCH_CHARS = 1024 * 1024;
const FOLLOW_HIGH_WATER = 4 * 1024 * 1024;

// What the handlers need of the host. StackHost implements it; naming it here
// instead of importing StackHost keeps the dependency one way (host -> handlers).
export interface ControlledHost {
  readonly manifest: Manifest;
  readonly options: {readonly runtime: Runtime};
  readonly phase: StackPhase;
  readonly failure?: FailureRecord;
  readonly volumesRemoved?: string[];
  readonly ready: Promise<void>;
  readonly logs: LogStore;
  readonly supervisor: Pick<Stack, 'restart'>;
  status(): ServiceStatus[];
  update(next: Manifest, only?: string[], watch?: boolean): Promise<UpdateResult>;
  shutdown(options?: {timeoutMs?: number; volumes?: boolean; immediate?: boolean; requestedBy?: string}): Promise<void>;
  onLog(listener: (line: LogLine) => void): () => void;
  onEvent(listener: (event: LifecycleEvent) => void): () => void;
  onDone(listener: () => void): () => void;
}

// What the supervisor answers on its control socket; one request per connection.
export async function handleControl(host: ControlledHost, request: ControlRequest, channel: ControlChannel): Promise<void> {
  // Meant for another supervisor of this directory (a Node API handle whose stack is gone): refused, untouched.
  if (request.to && !isSameSupervisor(request.to, thisProcess())) return channel.error(notAddressee(host, request.to.pid));
  switch (request.method) {
    case 'hello': {
      const hello: HelloResult = {pid: process.pid, project: host.manifest.name, runtime: host.options.runtime.kind, dir: host.manifest.dir, phase: host.phase};
      return channel.result(hello);
    }
    case 'ps': {
      const ps: PsResult = {project: host.manifest.name, runtime: host.options.runtime.kind, supervisor: {pid: process.pid}, services: host.status()};
      return channel.result(ps);
    }
    case 'top': {
      const services = host.status();
      const usage = await host.options.runtime.usage(services.flatMap((s) => (s.identity && s.state === 'running' ? [s.identity] : [])));
      let next = 0;
      const top: TopResult = {
        project: host.manifest.name,
        runtime: host.options.runtime.kind,
        supervisor: {pid: process.pid},
        services,
        usage: services.map((s) => (s.identity && s.state === 'running' ? (usage[next++] ?? null) : null)),
        at: Date.now(),
      };
      return channel.result(top);
    }
    case 'wait':
      try {
        await host.ready;
        return channel.result({ready: true});
      } catch {
        return channel.error(failureError(host.failure!));
      }
    case 'restart': {
      // The CLI sends ids; a Node API caller may send a bare name or a pod (all its services).
      // A service start-up has not started yet is left to it, and named in notStarted.
      const ids = resolveServiceRefs(catalogOf(host.manifest), request.services);
      const {notStarted} = await host.supervisor.restart(ids);
      return channel.result({restarted: ids.filter((id) => !notStarted.includes(id)), notStarted});
    }
    case 'exec': {
      const service = requireService(host, request.service);
      assertExecTarget(host.status().find((s) => s.name === service.id));
      const {stdin, cancel} = execInput(channel, request.stdin === true);
      return channel.result(await host.options.runtime.exec(service, request.command, {...(stdin ? {stdin} : {}), cancel}));
    }
    case 'endpoint': {
      const endpoint = await host.options.runtime.endpoint(requireService(host, request.service), request.port);
      return channel.result({host: endpoint.host, port: endpoint.port});
    }
    case 'logs':
      return streamLogs(host, request, channel);
    case 'events': {
      const off = host.onEvent((event) => channel.data(event));
      const offDone = host.onDone(() => channel.end());
      channel.onClose(() => {
        off();
        offDone();
      });
      return;
    }
    case 'update':
      return channel.result(await host.update(request.manifest, request.services ?? [], request.watch === true));
    case 'down':
      host.onDone(() => channel.result({stopped: true, ...(host.volumesRemoved ? {volumesRemoved: host.volumesRemoved} : {})}));
      await host.shutdown({...(request.timeoutMs !== undefined ? {timeoutMs: request.timeoutMs} : {}), volumes: request.volumes, requestedBy: '`sidecar down`'});
      return;
  }
}

function notAddressee(host: ControlledHost, pid: number): SidecarError {
  return new SidecarError('SIDECAR_NOT_RUNNING', `the request was for the supervisor (pid ${pid}), but the supervisor (pid ${process.pid}) of ${host.manifest.name} answers here: the stack of pid ${pid} no longer runs`, {
    suggestion: 'take a handle on the stack that runs now (up() finds it), or `sidecar ps` to see it',
  });
}

function requireService(host: ControlledHost, name: string): Service {
  const service = findService(host.manifest, name);
  if (!service) throw unknownService(host.manifest, name);
  return service;
}

// Past lines from the files, then (with follow) new lines read from the same
// files as they grow: the files are the buffer, so a reader slower than the
// services costs the supervisor no memory and still gets every line (unless it
// falls behind by more than the rotation keeps, which it is told). Reading is
// paced by the socket: no more than FOLLOW_HIGH_WATER bytes wait for the reader.
function streamLogs(host: ControlledHost, request: Extract<ControlRequest, {method: 'logs'}>, channel: ControlChannel): void {
  // Log files are per service id; a pod stands for all its services.
  const ids = resolveServiceRefs(catalogOf(host.manifest), request.services);
  host.logs.flush();
  const past = readLogs(host.logs.dir, {services: ids, ...(request.tail !== undefined ? {tail: request.tail} : {}), ...(request.since !== undefined ? {since: request.since} : {})});
  for (const batch of batches(past)) channel.data(batch);
  if (!request.follow || host.phase === 'done') return channel.end();
  const services = ids.length > 0 ? ids : allServices(host.manifest).map((s) => s.id);
  const follower = new FileFollower(host.logs, services);
  let scheduled = false;
  let finishing = false;
  let ended = false;
  const pump = (): void => {
    scheduled = false;
    if (channel.closed || ended) return;
    host.logs.flush();
    while (channel.bufferedBytes < FOLLOW_HIGH_WATER) {
      const {lines, lostBytes} = follower.read();
      if (lostBytes > 0) channel.data([rotatedAwayNotice(lostBytes)]);
      if (lines.length === 0 && lostBytes === 0) break;
      for (const batch of batches(lines)) channel.data(batch);
    }
    if (finishing && channel.bufferedBytes < FOLLOW_HIGH_WATER) {
      ended = true;
      channel.end();
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  };
  const wanted = new Set(services);
  const off = host.onLog((line) => {
    if (wanted.has(line.service)) schedule();
  });
  const offDrain = channel.onDrain(schedule);
  // Done: pump now, not on the next tick: the server closes every socket right
  // after the done listeners ran, and the reader must get the last lines and `end`.
  const offDone = host.onDone(() => {
    finishing = true;
    pump();
  });
  channel.onClose(() => {
    off();
    offDrain();
    offDone();
  });
}

function* batches(lines: LogLine[]): Generator<LogLine[]> {
  let batch: LogLine[] = [];
  let chars = 0;
  for (const line of lines) {
    batch.push(line);
    chars += line.line.length + 64;
    if (batch.length >= BATCH_LINES || chars >= BATCH_CHARS) {
      yield batch;
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

function rotatedAwayNotice(bytes: number): LogLine {
  return {service: 'sidecar', stream: 'stderr', time: Date.now(), line: `${bytes} bytes of log were rotated away before this reader got them (it fell more than the kept log files behind)`};
}

// What an exec client sends after its request: its stdin (when it said so), which ends
// when the client says so or goes away; and a signal it got, or its going away, which
// cancel the command (SIGTERM when gone: a `docker compose exec` killed leaves nothing).
function execInput(channel: ControlChannel, withStdin: boolean): {stdin?: PassThrough; cancel: AbortSignal} {
  const stdin = withStdin ? new PassThrough() : undefined;
  const cancel = new AbortController();
  channel.onInput((frame) => {
    const input = frame as Partial<{stdin: unknown; stdinEnd: unknown; signal: unknown}>;
    if (FORWARDED_SIGNALS.includes(input.signal as ForwardedSignal)) return cancel.abort(input.signal);
    if (!stdin || stdin.writableEnded) return;
    if (typeof input.stdin === 'string') stdin.write(Buffer.from(input.stdin, 'base64'));
    else if (input.stdinEnd === true) stdin.end();
  });
  channel.onClose(() => {
    if (stdin && !stdin.writableEnded) stdin.end();
    cancel.abort('SIGTERM');
  });
  return {...(stdin ? {stdin} : {}), cancel: cancel.signal};
}
