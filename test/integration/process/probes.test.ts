import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {makeProbe} from '../../../src/health/make-probe.js';
import {CheckCancel, type Probe} from '../../../src/health/probe.js';
import type {Check, Service} from '../../../src/manifest/types.js';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import type {RunningUnit} from '../../../src/runtime/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {freePorts, waitFor} from '../conformance/suite.js';

const programs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/programs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-probes-'));
const runtime = new ProcessRuntime();
const units: RunningUnit[] = [];
const listeners = new Set<(line: string) => void>();

afterAll(async () => {
  await Promise.all(units.map((u) => runtime.stop(u, 'SIGTERM', 1000)));
});

const withCheck = (s: Service, check: Check): Service => ({...s, health: {check, intervalMs: 1000, timeoutMs: 1000, retries: 1, startPeriodMs: 0, startTimeoutMs: 5000}});
const probeFor = (s: Service): Probe => makeProbe(s, runtime, (onLine) => (listeners.add(onLine), () => listeners.delete(onLine)))!;
const outcome = (probe: Probe) => probe.check(new CheckCancel()).then(() => 'pass', (e: Error) => e.message);

describe('probes against a real process', () => {
  it('http, tcp, exec and log checks pass and fail for the right reasons', async () => {
    const [port] = await freePorts(1);
    const sick = path.join(dir, 'sick');
    const server = service('web', 'app', {command: [process.execPath, path.join(programs, 'http-server.js')], env: {PORT: String(port), HEALTH_FILE: sick}, workdir: dir});
    await runtime.prepare(manifest({dir, app: server}), {log: (l) => listeners.forEach((fn) => fn(l.line))});
    const http = probeFor(withCheck(server, {kind: 'http', port: port!, path: '/healthz', scheme: 'http', headers: {}}));
    const tcp = probeFor(withCheck(server, {kind: 'tcp', port: port!}));
    const log = probeFor(withCheck(server, {kind: 'log', pattern: '^listening \\d+ on'}));
    const exec = probeFor(withCheck(server, {kind: 'exec', command: ['sh', '-c', 'test ! -e "$HEALTH_FILE" || { echo sick >&2; exit 3; }']}));
    expect(await outcome(http)).toMatch(/ECONNREFUSED/);
    expect(await outcome(log)).toMatch(/no matching line yet/);
    units.push(await runtime.start(server));
    expect(await waitFor(async () => (await outcome(tcp)) === 'pass', 5000)).toBe(true);
    expect(await outcome(http)).toBe('pass');
    expect(await outcome(log)).toBe('pass');
    expect(await outcome(exec)).toBe('pass');
    writeFileSync(sick, '');
    expect(await outcome(http)).toMatch(/HTTP 500/);
    expect(await outcome(exec)).toMatch(/exit 3: sick/);
    rmSync(sick);
    expect(await outcome(http)).toBe('pass');
    log.dispose?.();
  });
});
