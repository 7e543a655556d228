import {existsSync, mkdirSync, mkdtempSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import type {Service} from '../../../src/manifest/types.js';
import {CONTINUED_MARKER} from '../../../src/runtime/line-splitter.js';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import type {LogLine, RunningUnit} from '../../../src/runtime/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {waitFor} from '../conformance/suite.js';
import {processesWithMark} from '../../helpers/proc-scan.js';
import {freePort} from '../../helpers/free-port.js';

const programs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/programs');
const node = (program: string) => [process.execPath, path.join(programs, `${program}.js`)];
const mark = `rt-${process.pid}-${Date.now()}`;

async function setup(services: Service[], volumes: string[] = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-rt-'));
  const m = manifest({dir, app: services[0]!, sidecars: services.slice(1), volumes});
  const runtime = new ProcessRuntime();
  const lines: LogLine[] = [];
  await runtime.prepare(m, {log: (line) => lines.push(line)});
  return {dir, m, runtime, lines};
}

const started: {runtime: ProcessRuntime; unit: RunningUnit}[] = [];
async function start(runtime: ProcessRuntime, s: Service): Promise<RunningUnit> {
  const unit = await runtime.start(s);
  started.push({runtime, unit});
  return unit;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map(({runtime, unit}) => runtime.stop(unit, 'SIGTERM', 1000)));
  expect(processesWithMark(mark)).toEqual([]);
});

describe('ProcessRuntime', () => {
  // A CI run saw "(migrate printed nothing)" for an init job that printed "boom" and
  // exited 3: its exit was told before its pipe was read. The exit now comes after.
  it('tells an exit only once the lines printed before it are delivered', async () => {
    const last = service('app', 'app', {command: ['sh', '-c', 'echo "last words $RUN"; echo "to stderr $RUN" >&2; exit 3'], env: {SIDECAR_TEST_MARK: mark}});
    const {runtime, lines} = await setup([last]);
    for (let run = 0; run < 40; run++) {
      const unit = await runtime.start({...last, env: {...last.env, RUN: String(run)}});
      const info = await unit.exited;
      expect(info.exitCode).toBe(3);
      expect(lines.map((l) => l.line)).toEqual(expect.arrayContaining([`last words ${run}`, `to stderr ${run}`]));
      await runtime.stop(unit, 'SIGTERM', 1000);
    }
  });

  it('delivers every line of two flooding services whole, and cuts a 200 KiB line into marked pieces', async () => {
    const huge = 200 * 1024;
    const a = service('a', 'app', {command: node('flooder'), env: {SIDECAR_TEST_MARK: mark, TAG: 'a', LINES: '50000', HUGE_BYTES: String(huge)}});
    const b = service('b', 'sidecar', {command: node('flooder'), env: {SIDECAR_TEST_MARK: mark, TAG: 'b', LINES: '50000'}});
    const {runtime, lines} = await setup([a, b]);
    const ua = await start(runtime, a);
    const ub = await start(runtime, b);
    await Promise.all([ua.exited, ub.exited]);
    expect(await waitFor(async () => lines.some((l) => l.service === 'a' && l.line === 'end') && lines.filter((l) => l.service === 'b').length >= 50000, 10_000)).toBe(true);
    for (const tag of ['a', 'b']) {
      const own = lines.filter((l) => l.service === tag && !l.line.startsWith('H') && l.line !== 'end');
      expect(own).toHaveLength(50000);
      own.forEach((l, i) => {
        if (l.line.length !== 80 || !l.line.startsWith(`${tag} ${i} `)) throw new Error(`line ${i} of ${tag} is broken: ${l.line.slice(0, 100)}`);
      });
    }
    const pieces = lines.filter((l) => l.service === 'a' && l.line.startsWith('H'));
    expect(pieces.length).toBe(4);
    expect(pieces.slice(0, -1).every((p) => p.line.endsWith(CONTINUED_MARKER))).toBe(true);
    expect(pieces.map((p) => p.line.replace(CONTINUED_MARKER, '')).join('')).toBe('H'.repeat(huge));
  });

  it("gives a service the caller's environment, the manifest env over it, volume dirs, its workdir and the run marker", async () => {
    // Issue 8.12: a host process expects the caller's environment (process-compose, foreman).
    process.env.SIDECAR_TEST_CALLER = 'from the caller';
    process.env.OVERRIDE = 'caller';
    process.env.SIDECAR_RUN_ID = 'forged';
    const workdir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-wd-'));
    const probe = "console.log(JSON.stringify({cwd: process.cwd(), env: process.env, arg: process.argv[1]}))";
    const s = service('app', 'app', {
      command: ['node', '-e', 'should not run'],
      process: {command: ['node', '-e', probe, '${volumes.logs}/x'], env: {OVERRIDE: 'process'}},
      env: {SIDECAR_TEST_MARK: mark, LOG_DIR: '${volumes.logs}/app', OVERRIDE: 'manifest'},
      workdir,
    });
    const {runtime, lines, dir} = await setup([s], ['logs']);
    expect(existsSync(path.join(dir, '.sidecar/volumes/logs'))).toBe(true);
    await (await start(runtime, s)).exited;
    await waitFor(async () => lines.length > 0, 5000);
    const seen = JSON.parse(lines[0]!.line) as {cwd: string; env: Record<string, string>; arg: string};
    expect(seen.cwd).toBe(workdir);
    expect(seen.arg).toBe(path.join(dir, '.sidecar/volumes/logs/x'));
    expect(seen.env).toMatchObject({PATH: process.env.PATH, HOME: process.env.HOME, SIDECAR_TEST_CALLER: 'from the caller', LOG_DIR: path.join(dir, '.sidecar/volumes/logs/app'), OVERRIDE: 'process'});
    expect(seen.env.SIDECAR_RUN_ID).toBe(runtime.runId);
    expect(seen.env.SIDECAR_STACK_ID).toMatch(/^test-[0-9a-f]{12}$/);
    for (const key of ['SIDECAR_TEST_CALLER', 'OVERRIDE', 'SIDECAR_RUN_ID']) delete process.env[key];
  });

  it('never signals a process whose start time does not match (a reused pid)', async () => {
    const s = service('app', 'app', {command: node('forever'), env: {SIDECAR_TEST_MARK: mark}});
    const {runtime, lines} = await setup([s]);
    const unit = await start(runtime, s);
    // Its SIGTERM handler is installed once it printed.
    await waitFor(async () => lines.length > 0, 5000);
    const identity = unit.identity as {kind: 'process'; pid: number; pgid: number; startTime: string};
    expect(identity.startTime).toMatch(/^\d+$/);
    // A reused pid belongs to a stranger, never to the unit's cgroup (only its own
    // processes are in it): the impostor has the pid and not the group.
    const {cgroup: _group, ...withoutGroup} = unit as RunningUnit & {cgroup?: unknown};
    const impostor: RunningUnit = {...withoutGroup, identity: {...identity, startTime: String(BigInt(identity.startTime) + 1000n)}};
    await runtime.kill(impostor);
    expect(runtime.isAlive(unit)).toBe(true);
    const info = await runtime.stop(unit, 'SIGTERM', 2000);
    expect(info).toMatchObject({exitCode: 0});
    expect(runtime.isAlive(unit)).toBe(false);
  });

  // Issue 11.7: a stop reads who holds the unit's ports while it exits, for the
  // start that follows at once; that read must never let a stranger through.
  it('starts again on its own port right after a stop; a stranger that took the port after a stop is refused at the next start, and named', async () => {
    const port = await freePort();
    const s = service('app', 'app', {command: node('http-server'), env: {PORT: String(port), SIDECAR_TEST_MARK: mark}, ports: [{hostIp: '127.0.0.1', hostPort: port, containerPort: port, protocol: 'tcp'}]});
    const {runtime, lines} = await setup([s]);
    const listening = async (count: number) => waitFor(async () => lines.filter((l) => l.line.startsWith('listening')).length >= count, 10_000);
    const first = await runtime.start(s);
    expect(await listening(1)).toBe(true);
    await runtime.stop(first, 'SIGTERM', 5000);
    const second = await start(runtime, s);
    expect(await listening(2)).toBe(true);
    await runtime.stop(second, 'SIGTERM', 5000);
    started.splice(0);
    const stranger = net.createServer();
    await new Promise<void>((resolve) => stranger.listen(port, '127.0.0.1', resolve));
    try {
      // Well past the stop: what the stop read is stale by then.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(runtime.start(s)).rejects.toMatchObject({message: expect.stringContaining(`port ${port}/tcp (in its ports) is already in use by pid ${process.pid} (`)});
    } finally {
      await new Promise((resolve) => stranger.close(resolve));
    }
  });

  it('runs exec with the service env and cwd on the host', async () => {
    const workdir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-wd-'));
    mkdirSync(path.join(workdir, 'sub'));
    const s = service('app', 'app', {command: node('forever'), env: {GREETING: 'hi'}, workdir});
    const {runtime} = await setup([s]);
    const result = await runtime.exec(s, ['sh', '-c', 'echo "$GREETING $(pwd)"; exit 4'], {timeoutMs: 5000});
    expect(result).toMatchObject({exitCode: 4, stdout: `hi ${workdir}`});
  });

  it('says which service could not start and why', async () => {
    const s = service('app', 'app', {command: ['/nonexistent/program']});
    const {runtime} = await setup([s]);
    await expect(runtime.start(s)).rejects.toMatchObject({code: 'SIDECAR_STACK_FAILED', message: expect.stringMatching(/service "app" could not start: command \/nonexistent\/program not found/)});
    const none = service('web', 'app', {});
    await expect(runtime.start(none)).rejects.toMatchObject({code: 'SIDECAR_RUNTIME_UNAVAILABLE'});
  });
});
