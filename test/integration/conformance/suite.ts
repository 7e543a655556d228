import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import type {Health, Pod, Service} from '../../../src/manifest/types.js';
import type {Runtime} from '../../../src/runtime/types.js';
import {Stack} from '../../../src/supervisor/stack.js';
import type {LifecycleEvent, LogLine, ServiceStatus} from '../../../src/supervisor/types.js';
import {manifest as buildManifest, service as buildService} from '../../helpers/manifest-builder.js';
import {podsConformance} from './pods-suite.js';

export type FixtureProgram = 'forever' | 'http-server' | 'tcp-proxy' | 'exit' | 'term-ignorer' | 'escaper';

// What a runtime must provide to run the lifecycle scenarios (process: node programs; docker: images).
export interface ConformanceFixtures {
  // A service that runs the fixture program with env; every process/container must carry SIDECAR_TEST_MARK.
  service(name: string, role: Service['role'], program: FixtureProgram, overrides: Partial<Service> & {env: Record<string, string>}): Service;
  // Directory for the test manifest (volumes land under it).
  manifestDir(): string;
  // What of the stack (by marker) is still alive, seen from the outside.
  survivors(mark: string): Promise<unknown[]>;
  // kill -9 of a service's main process from outside the supervisor.
  kill9(status: ServiceStatus): Promise<void>;
}

// The lifecycle promises of DESIGN 1-7, written once, run against every Runtime.
export function conformanceSuite(makeRuntime: () => Runtime, fixtures: ConformanceFixtures): void {
  let mark = '';
  let seq = 0;
  const supervisors: Stack[] = [];

  afterEach(async () => {
    await Promise.all(supervisors.splice(0).map((s) => s.stop({timeoutMs: 2000})));
  });

  const env = (extra: Record<string, string> = {}) => ({SIDECAR_TEST_MARK: mark, ...extra});
  const tcpHealth = (port: number, overrides: Partial<Health> = {}): Health => ({check: {kind: 'tcp', port}, intervalMs: 500, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 15_000, ...overrides});

  function stack(parts: {sidecars?: Service[]; app: Service; init?: Service[]; startup?: Pod['startup']}, wrap: (r: Runtime) => Runtime = (r) => r) {
    mark = mark || `m${process.pid}-${Date.now()}-${seq++}`;
    const manifest = buildManifest({name: `conf-${seq}`, dir: fixtures.manifestDir(), ...parts});
    const supervisor = new Stack({manifest, runtime: wrap(makeRuntime())});
    supervisors.push(supervisor);
    const events: LifecycleEvent[] = [];
    const logs: LogLine[] = [];
    supervisor.on('event', (e) => events.push(e));
    supervisor.on('log', (l) => logs.push(l));
    const status = (name: string) => supervisor.status().find((s) => s.name === name)!;
    return {supervisor, events, logs, status, manifest};
  }

  const newMark = () => {
    mark = `m${process.pid}-${Date.now()}-${seq++}`;
  };

  describe('lifecycle conformance', () => {
    afterEach(async () => {
      await Promise.all(supervisors.splice(0).map((s) => s.stop({timeoutMs: 2000})));
      expect(await waitFor(async () => (await fixtures.survivors(mark)).length === 0, 5000)).toBe(true);
    });

    it('starts init, then sidecars in order each after the previous is ready, then the app (start order from timestamps)', async () => {
      newMark();
      const [p1, p2] = await freePorts(2);
      const s = stack({
        init: [fixtures.service('migrate', 'init', 'exit', {env: env({DELAY_MS: '100'})})],
        sidecars: [
          fixtures.service('slow', 'sidecar', 'http-server', {env: env({PORT: String(p1), READY_DELAY_MS: '400'}), health: tcpHealth(p1)}),
          fixtures.service('proxy', 'sidecar', 'tcp-proxy', {env: env({LISTEN_PORT: String(p2), TARGET_PORT: String(p1)}), health: tcpHealth(p2)}),
        ],
        app: fixtures.service('app', 'app', 'forever', {env: env()}),
      });
      await s.supervisor.start();
      const time = (service: string, word: 'started' | 'listening' | 'exiting') => {
        const line = s.logs.find((l) => l.service === service && l.line.startsWith(`${word} `));
        expect(line, `${service} printed "${word}"`).toBeDefined();
        return Number(line!.line.split(' ')[1]);
      };
      expect(time('slow', 'started')).toBeGreaterThanOrEqual(time('migrate', 'exiting'));
      expect(time('proxy', 'started')).toBeGreaterThanOrEqual(time('slow', 'listening'));
      expect(await waitFor(async () => s.logs.some((l) => l.service === 'app'), 5000)).toBe(true);
      expect(time('app', 'started')).toBeGreaterThanOrEqual(time('proxy', 'listening'));
      expect(s.supervisor.status().map((x) => [x.name, x.state])).toEqual([
        ['migrate', 'exited'],
        ['slow', 'running'],
        ['proxy', 'running'],
        ['app', 'running'],
      ]);
    });

    it('restarts a sidecar killed with -9 by itself: app pid and restart count unchanged', async () => {
      newMark();
      const [port] = await freePorts(1);
      const s = stack({
        sidecars: [fixtures.service('proxy', 'sidecar', 'http-server', {env: env({PORT: String(port)}), health: tcpHealth(port!)})],
        app: fixtures.service('app', 'app', 'forever', {env: env()}),
      });
      await s.supervisor.start();
      const app = s.status('app');
      const before = s.status('proxy');
      await fixtures.kill9(before);
      expect(await waitFor(async () => s.status('proxy').restarts === 1 && s.status('proxy').state === 'running', 10_000)).toBe(true);
      expect(s.status('proxy').health).toBe('healthy');
      expect(s.status('proxy').pid ?? s.status('proxy').containerId).not.toEqual(before.pid ?? before.containerId);
      expect(s.status('app')).toMatchObject({state: 'running', restarts: 0, pid: app.pid, containerId: app.containerId});
    });

    it('restarts a crashed app per on-failure, leaving the sidecars untouched', async () => {
      newMark();
      const s = stack({
        sidecars: [fixtures.service('side', 'sidecar', 'forever', {env: env()})],
        app: fixtures.service('app', 'app', 'exit', {env: env({EXIT_CODE: '1', DELAY_MS: '300'}), maxRestarts: 1}),
      });
      await s.supervisor.start();
      const side = s.status('side');
      expect(await waitFor(async () => s.status('app').restarts === 1, 10_000)).toBe(true);
      expect(s.status('side')).toMatchObject({state: 'running', restarts: 0, pid: side.pid, containerId: side.containerId});
    });

    it('on app completion stops the sidecars and propagates the exit code', async () => {
      newMark();
      const s = stack({
        sidecars: [fixtures.service('a', 'sidecar', 'forever', {env: env()}), fixtures.service('b', 'sidecar', 'forever', {env: env()})],
        app: fixtures.service('app', 'app', 'exit', {env: env({EXIT_CODE: '7', DELAY_MS: '200'}), restart: 'never'}),
      });
      await s.supervisor.start();
      await expect(s.supervisor.completion).resolves.toEqual({exitCode: 7, reason: 'completed'});
      const stops = s.events.filter((e) => e.type === 'state' && e.to === 'stopping').map((e) => e.service);
      expect(stops).toEqual(['b', 'a']);
      expect(await waitFor(async () => (await fixtures.survivors(mark)).length === 0, 15_000)).toBe(true);
    });

    // DESIGN 6: stop returns within the sum of the stop timeouts + 1s (here the app
    // exits at once on SIGTERM and the ignorer needs its full 1.5s before SIGKILL).
    // The upper bound has slack for a loaded 2-core CI machine (as the reap test's
    // below): it still fails a stop that waits on the TERM-ignorer for good.
    it('stops a SIGTERM-ignorer with a child, bounded by the sum of the stop timeouts, leaving no survivor', async () => {
      newMark();
      const s = stack({
        sidecars: [fixtures.service('stubborn', 'sidecar', 'term-ignorer', {env: env(), stopTimeoutMs: 1500})],
        app: fixtures.service('app', 'app', 'forever', {env: env(), stopTimeoutMs: 1500}),
      });
      await s.supervisor.start();
      expect(await waitFor(async () => s.logs.some((l) => l.service === 'stubborn' && l.line.startsWith('started')), 5000)).toBe(true);
      expect((await fixtures.survivors(mark)).length).toBeGreaterThanOrEqual(3);
      const began = Date.now();
      await s.supervisor.stop();
      const took = Date.now() - began;
      expect(took).toBeGreaterThanOrEqual(1500);
      expect(took).toBeLessThan(1500 + 1500 + 4000);
      expect(await fixtures.survivors(mark)).toEqual([]);
      expect(s.logs.some((l) => l.service === 'stubborn' && l.line === 'ignoring SIGTERM')).toBe(true);
    });

    it('leaves nothing behind after stop, even a child that escaped with setsid', async () => {
      newMark();
      const s = stack({
        sidecars: [fixtures.service('escaper', 'sidecar', 'escaper', {env: env()})],
        app: fixtures.service('app', 'app', 'forever', {env: env()}),
      });
      await s.supervisor.start();
      expect(await waitFor(async () => s.logs.some((l) => l.service === 'escaper' && l.line.includes('escaped')), 5000)).toBe(true);
      expect((await fixtures.survivors(mark)).length).toBeGreaterThanOrEqual(3);
      await s.supervisor.stop();
      expect(await fixtures.survivors(mark)).toEqual([]);
    });

    it('follows the backoff schedule on real crashes (250ms, 500ms, 1s, ...)', async () => {
      newMark();
      const s = stack({
        sidecars: [fixtures.service('crasher', 'sidecar', 'exit', {env: env({EXIT_CODE: '3'}), maxRestarts: 4})],
        app: fixtures.service('app', 'app', 'forever', {env: env()}),
      });
      await s.supervisor.start();
      // 3.75 s of backoff plus five engine starts, each up to seconds on a loaded CI machine.
      expect(await waitFor(async () => s.status('crasher').state === 'failed', 30_000)).toBe(true);
      const crasher = s.events.filter((e) => e.service === 'crasher');
      const gaps: number[] = [];
      for (let i = 0; i < crasher.length; i++) {
        if (crasher[i]!.type !== 'exit') continue;
        // DESIGN 4's delay is to the unit running again: a runtime whose start takes
        // time (docker) begins it earlier (issue 13.3), never so that it runs sooner.
        const next = crasher.slice(i).find((e) => e.type === 'state' && e.to === 'running');
        if (next) gaps.push(next.time - crasher[i]!.time);
      }
      expect(gaps).toHaveLength(4);
      // The schedule as the supervisor decided it (its `restart` events), exact:
      // DESIGN 4's 250ms doubling, within its ±10% jitter.
      const decided = crasher.filter((e) => e.type === 'restart').map((e) => /^restart (\d+) in (\d+)ms /.exec(e.detail ?? ''));
      expect(decided.map((m) => m && Number(m[1]))).toEqual([1, 2, 3, 4]);
      [250, 500, 1000, 2000].forEach((expected, i) => {
        const delay = Number(decided[i]![2]);
        expect(delay).toBeGreaterThanOrEqual(expected * 0.9);
        expect(delay).toBeLessThanOrEqual(expected * 1.1);
        // As observed: never early. The upper bound only catches a restart that
        // waits far too long: on docker/podman the gap includes the engine's
        // container start, seconds on a loaded 2-core CI machine.
        expect(gaps[i]).toBeGreaterThanOrEqual(expected * 0.9 - 5);
        expect(gaps[i]).toBeLessThan(expected * 1.1 + 3000);
      });
      expect(s.status('crasher')).toMatchObject({state: 'failed', restarts: 4, exitCode: 3});
      expect(s.status('app').state).toBe('running');
    });

    it('reaps the units of a supervisor that died without stopping them', async () => {
      newMark();
      // A dead supervisor never hears of exits: give it a runtime whose units never report one.
      const s = stack({
        sidecars: [fixtures.service('stubborn', 'sidecar', 'term-ignorer', {env: env(), stopTimeoutMs: 1000})],
        app: fixtures.service('app', 'app', 'forever', {env: env(), stopTimeoutMs: 1000})
      }, deaf);
      await s.supervisor.start();
      expect(await waitFor(async () => s.logs.some((l) => l.service === 'stubborn' && l.line.startsWith('started')), 5000)).toBe(true);
      const identities = s.supervisor.identities();
      expect(identities).toHaveLength(2);
      supervisors.splice(supervisors.indexOf(s.supervisor), 1);
      expect((await fixtures.survivors(mark)).length).toBeGreaterThanOrEqual(3);
      const began = Date.now();
      const reaped = await makeRuntime().reap(s.manifest, identities);
      // Bounded by the stopTimeout (1s), not by waiting on the TERM-ignorer
      // forever: DESIGN's +1s, plus slack for four engines' suites sharing two
      // loaded cores in CI (2.3-3.0 s were seen there); speed is for bench/.
      expect(Date.now() - began).toBeLessThan(1000 + 4000);
      expect(reaped.length).toBeGreaterThanOrEqual(3);
      expect(await fixtures.survivors(mark)).toEqual([]);
    });

    it('fails start with the service name, probe error and log lines when a sidecar never gets ready', async () => {
      newMark();
      const [port] = await freePorts(1);
      const s = stack({
        // 5s: long enough for a check to finish on a slow engine (else "no check finished").
        sidecars: [fixtures.service('deaf', 'sidecar', 'forever', {env: env(), health: tcpHealth(port!, {startTimeoutMs: 5000})})],
        app: fixtures.service('app', 'app', 'forever', {env: env()}),
      });
      const error = await s.supervisor.start().catch((e: unknown) => e);
      expect(error).toMatchObject({code: 'SIDECAR_STACK_FAILED'});
      // Refused, or (Docker's published route, where a forwarder accepts) nobody listening in the pod.
      expect((error as Error).message).toMatch(/sidecar "deaf" failed: not ready after 5000ms: tcp :\d+: .*(ECONNREFUSED|nothing listens on port \d+ in the pod)/);
      expect((error as Error).message).toMatch(/started \d+/);
      expect(await fixtures.survivors(mark)).toEqual([]);
    });
  });

  podsConformance(makeRuntime, fixtures);
}

// The runtime as a supervisor that died sees it: units start, and no exit is ever reported.
export function deaf(runtime: Runtime): Runtime {
  return {
    kind: runtime.kind,
    prepare: (manifest, events) => runtime.prepare(manifest, events),
    preparePod: (pod) => runtime.preparePod(pod),
    usage: (identities) => runtime.usage(identities),
    start: async (service) => ({...(await runtime.start(service)), exited: new Promise<never>(() => {})}),
    stop: (unit, signal, timeoutMs) => runtime.stop(unit, signal, timeoutMs),
    kill: (unit) => runtime.kill(unit),
    teardown: (manifest, options) => runtime.teardown(manifest, options),
    reap: (manifest, known) => runtime.reap(manifest, known),
    endpoint: (service, port) => runtime.endpoint(service, port),
    exec: (service, command, options) => runtime.exec(service, command, options),
    volumePath: (service, volume) => runtime.volumePath(service, volume),
  };
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

// Ports free on 127.0.0.1 right now (the kernel picks them).
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({length: count}, () => new Promise<net.Server>((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export {buildService};
