import {readLogs} from '../logs/log-reader.js';
import {findService, type Service} from '../manifest/types.js';
import type {ControlChannel} from '../supervisor/control/control-server.js';
import type {ControlRequest, HelloResult, PsResult} from '../supervisor/control/protocol.js';
import type {LogLine} from '../supervisor/types.js';
import {unknownService} from './unknown-service.js';
import {failureError} from './start-failure.js';
import type {StackHost} from './stack-host.js';

const BATCH_LINES = 2000;
const FOLLOW_BACKLOG_BYTES = 32 * 1024 * 1024;

// What the supervisor answers on its control socket; one request per connection.
export async function handleControl(host: StackHost, request: ControlRequest, channel: ControlChannel): Promise<void> {
  switch (request.method) {
    case 'hello': {
      const hello: HelloResult = {pid: process.pid, project: host.manifest.name, runtime: host.options.runtime.kind, dir: host.manifest.dir, phase: host.phase};
      return channel.result(hello);
    }
    case 'ps': {
      const ps: PsResult = {project: host.manifest.name, runtime: host.options.runtime.kind, supervisor: {pid: process.pid}, services: host.status()};
      return channel.result(ps);
    }
    case 'wait':
      try {
        await host.ready;
        return channel.result({ready: true});
      } catch {
        return channel.error(failureError(host.failure!));
      }
    case 'restart':
      request.services.forEach((name) => requireService(host, name));
      await host.supervisor.restart(request.services);
      return channel.result({restarted: request.services});
    case 'exec': {
      const service = requireService(host, request.service);
      return channel.result(await host.options.runtime.exec(service, request.command, {}));
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
    case 'down':
      host.onDone(() => channel.result({stopped: true}));
      await host.shutdown({...(request.timeoutMs !== undefined ? {timeoutMs: request.timeoutMs} : {}), volumes: request.volumes});
      return;
  }
}

function requireService(host: StackHost, name: string): Service {
  const service = findService(host.manifest, name);
  if (!service) throw unknownService(host.manifest, name);
  return service;
}

// Past lines from the files, then (with follow) live lines in batches. Both happen
// on the supervisor's one thread, so no line is lost or doubled between them.
function streamLogs(host: StackHost, request: Extract<ControlRequest, {method: 'logs'}>, channel: ControlChannel): void {
  request.services.forEach((name) => requireService(host, name));
  host.logs.flush();
  const past = readLogs(host.logs.dir, {services: request.services, ...(request.tail !== undefined ? {tail: request.tail} : {}), ...(request.since !== undefined ? {since: request.since} : {})});
  for (let i = 0; i < past.length; i += BATCH_LINES) channel.data(past.slice(i, i + BATCH_LINES));
  if (!request.follow || host.phase === 'done') return channel.end();
  const wanted = new Set(request.services);
  let batch: LogLine[] = [];
  let scheduled = false;
  let skipped = 0;
  // A reader slower than the services must not grow the supervisor without
  // bound: past FOLLOW_BACKLOG_BYTES its lines are skipped (and counted, and
  // said) until it catches up, as Docker's non-blocking log mode does. The
  // files always get every line.
  const send = (): void => {
    scheduled = false;
    if (batch.length === 0) return;
    // Once behind, resume only below half the limit, so skips come in few runs.
    const limit = skipped > 0 ? FOLLOW_BACKLOG_BYTES / 2 : FOLLOW_BACKLOG_BYTES;
    if (channel.bufferedBytes > limit) skipped += batch.length;
    else {
      if (skipped > 0) channel.data([skippedNotice(skipped)]);
      skipped = 0;
      channel.data(batch);
    }
    batch = [];
  };
  const off = host.onLog((line) => {
    if (wanted.size > 0 && !wanted.has(line.service)) return;
    batch.push(line);
    if (batch.length >= BATCH_LINES) send();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(send);
    }
  });
  const offDone = host.onDone(() => {
    send();
    if (skipped > 0) channel.data([skippedNotice(skipped)]);
    channel.end();
  });
  channel.onClose(() => {
    off();
    offDone();
  });
}

function skippedNotice(count: number): LogLine {
  return {service: 'sidecar', stream: 'stderr', time: Date.now(), line: `${count} lines skipped: this reader fell behind; .sidecar/logs/ has every line (sidecar logs)`};
}
