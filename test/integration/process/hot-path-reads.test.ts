import {mkdtempSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import type {Service} from '../../../src/manifest/types.js';
import {portsBindable} from '../../../src/runtime/process/port-check.js';
import {procReads} from '../../../src/runtime/process/proc-table.js';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import type {RunningUnit} from '../../../src/runtime/types.js';
import {freePort} from '../../helpers/free-port.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {processesWithMark} from '../../helpers/proc-scan.js';

// Issue 13.1: a scan of every process in /proc, or a read of /proc/net, costs 5-25 ms
// on the machines this runs on, and a start or a stop is on the critical path of
// `up --wait` and `down`. Counted reads, not timings: the start of a service whose
// ports are free and the stop of a service whose group dies whole need none.
const programs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/programs');
const mark = `hot-${process.pid}-${Date.now()}`;
const started: {runtime: ProcessRuntime; unit: RunningUnit}[] = [];

async function runtimeFor(s: Service): Promise<ProcessRuntime> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-hot-'));
  const runtime = new ProcessRuntime();
  await runtime.prepare(manifest({dir, app: s}), {log: () => {}});
  return runtime;
}

function listen(port: number, host: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({port, host}, () => resolve(server));
  });
}

afterEach(async () => {
  await Promise.all(started.splice(0).map(({runtime, unit}) => runtime.stop(unit, 'SIGKILL', 1000)));
  expect(processesWithMark(mark)).toEqual([]);
});

describe('process runtime hot path: /proc reads (issue 13.1)', () => {
  it('starts a service with free ports without reading /proc/net, and stops it without scanning /proc', async () => {
    const port = await freePort();
    const s = service('app', 'app', {command: [process.execPath, path.join(programs, 'forever.js')], env: {SIDECAR_TEST_MARK: mark}, ports: [{hostPort: port, containerPort: port, protocol: 'tcp', hostIp: '127.0.0.1'}]});
    const runtime = await runtimeFor(s);
    const before = {...procReads};
    const unit = await runtime.start(s);
    started.push({runtime, unit});
    expect(procReads.net - before.net).toBe(0);
    started.pop();
    const exit = await runtime.stop(unit, 'SIGTERM', 10_000);
    expect(exit.service).toBe('app');
    expect(procReads.scans - before.scans).toBe(0);
    expect(processesWithMark(mark)).toEqual([]);
  });

  it('still refuses a port another program holds, naming it (the exact check runs then)', async () => {
    const port = await freePort();
    const other = await listen(port, '127.0.0.1');
    try {
      const s = service('app', 'app', {command: [process.execPath, path.join(programs, 'forever.js')], env: {SIDECAR_TEST_MARK: mark}, ports: [{hostPort: port, containerPort: port, protocol: 'tcp', hostIp: '127.0.0.1'}]});
      const runtime = await runtimeFor(s);
      await expect(runtime.start(s)).rejects.toThrow(`port ${port}/tcp (in its ports) is already in use by pid ${process.pid}`);
    } finally {
      other.close();
    }
  });

  it('a wildcard bind sees a listener on any address of the port, IPv4 or IPv6', async () => {
    for (const host of ['127.0.0.1', '0.0.0.0', '::1', '::']) {
      const port = await freePort();
      expect(await portsBindable([{port, protocol: 'tcp'}])).toBe(true);
      const other = await listen(port, host);
      try {
        expect({host, bindable: await portsBindable([{port, protocol: 'tcp'}])}).toEqual({host, bindable: false});
      } finally {
        other.close();
      }
    }
  });
});
