import {afterEach, describe, expect, it} from 'vitest';
import type {Health} from '../../../src/manifest/types.js';
import type {Runtime} from '../../../src/runtime/types.js';
import {Stack} from '../../../src/supervisor/stack.js';
import type {LifecycleEvent, LogLine} from '../../../src/supervisor/types.js';
import {podsByName, type PodParts} from '../../helpers/manifest-builder.js';
import {deaf, freePorts, waitFor, type ConformanceFixtures} from './suite.js';

// DESIGN "Several pods in one manifest", written once for every Runtime: order
// across pods, independent pods in parallel, isolation, completion with exit
// codes, reverse stop order, nothing left behind. Ports differ across pods so
// that the scenarios hold on the process runtime's shared loopback too.
export function podsConformance(makeRuntime: () => Runtime, fixtures: ConformanceFixtures): void {
  let mark = '';
  let seq = 0;
  const stacks: Stack[] = [];
  const env = (extra: Record<string, string> = {}) => ({SIDECAR_TEST_MARK: mark, ...extra});
  const tcpHealth = (port: number): Health => ({check: {kind: 'tcp', port}, intervalMs: 500, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 20_000});

  function podStack(pods: Record<string, PodParts>, wrap: (r: Runtime) => Runtime = (r) => r) {
    const manifest = podsByName({name: `pods-${process.pid}-${seq}`, dir: fixtures.manifestDir(), pods});
    const stack = new Stack({manifest, runtime: wrap(makeRuntime())});
    stacks.push(stack);
    const events: LifecycleEvent[] = [];
    const logs: LogLine[] = [];
    stack.on('event', (e) => events.push(e));
    stack.on('log', (l) => logs.push(l));
    const status = (id: string) => stack.status().find((s) => s.name === id)!;
    // Index of the first event of a service reaching a state: the order the supervisor acted in.
    const reached = (id: string, to: string) => events.findIndex((e) => e.service === id && e.type === 'state' && e.to === to);
    return {stack, events, logs, status, reached, manifest};
  }

  const forever = (name: string, role: 'app' | 'sidecar') => fixtures.service(name, role, 'forever', {env: env()});

  describe('multi-pod conformance', () => {
    afterEach(async () => {
      await Promise.all(stacks.splice(0).map((s) => s.stop({timeoutMs: 2000})));
      expect(await waitFor(async () => (await fixtures.survivors(mark)).length === 0, 5000)).toBe(true);
    });
    const newMark = () => {
      mark = `p${process.pid}-${Date.now()}-${seq++}`;
    };

    it('starts a pod once the pods it is after are ready, and independent pods without waiting', async () => {
      newMark();
      const [back, front] = await freePorts(2);
      const s = podStack({
        back: {app: fixtures.service('app', 'app', 'http-server', {env: env({PORT: String(back), READY_DELAY_MS: '1500'}), health: tcpHealth(back!)})},
        front: {after: ['back'], sidecars: [fixtures.service('proxy', 'sidecar', 'tcp-proxy', {env: env({LISTEN_PORT: String(front), TARGET_PORT: String(back)}), health: tcpHealth(front!)})], app: forever('app', 'app')},
        side: {app: forever('app', 'app')},
      });
      await s.stack.start();
      const backReady = s.reached('back/app', 'running');
      expect(backReady).toBeGreaterThanOrEqual(0);
      // after: nothing of front started before back was ready.
      expect(s.reached('front/proxy', 'starting')).toBeGreaterThan(backReady);
      // No order: side started while back was still getting ready.
      expect(s.reached('side/app', 'starting')).toBeGreaterThanOrEqual(0);
      expect(s.reached('side/app', 'starting')).toBeLessThan(backReady);
      expect(s.stack.status().map((x) => [x.name, x.pod, x.state])).toEqual([
        ['back/app', 'back', 'running'],
        ['front/proxy', 'front', 'running'],
        ['front/app', 'front', 'running'],
        ['side/app', 'side', 'running'],
      ]);
    });

    // Issue 13.5: 3 pods x 3 services, no probes and no delay. Each pod starts its
    // services one after another, so two pods that start together overlap: each
    // one's first service is starting before the other's app runs. Read from the
    // order of the supervisor's events only.
    it('3 pods x 3 services: independent pods start together (their starts overlap), the pod after another waits for it', async () => {
      newMark();
      const three = () => ({sidecars: [forever('s1', 'sidecar'), forever('s2', 'sidecar')], app: forever('app', 'app')});
      const s = podStack({a: three(), b: three(), c: {after: ['a'], ...three()}});
      await s.stack.start();
      for (const [one, other] of [['a', 'b'], ['b', 'a']] as const) {
        expect(s.reached(`${one}/s1`, 'starting'), `${one} started before ${other} was up`).toBeLessThan(s.reached(`${other}/app`, 'running'));
      }
      expect(s.reached('c/s1', 'starting')).toBeGreaterThan(s.reached('a/app', 'running'));
      // Within each pod: in order, each running before the next starts.
      for (const pod of ['a', 'b', 'c']) {
        expect(s.reached(`${pod}/s1`, 'running')).toBeLessThan(s.reached(`${pod}/s2`, 'starting'));
        expect(s.reached(`${pod}/s2`, 'running')).toBeLessThan(s.reached(`${pod}/app`, 'starting'));
      }
      expect(s.stack.status().every((x) => x.state === 'running')).toBe(true);
    });

    it('restarts a unit killed with -9 in its own pod only: the other pod keeps its units', async () => {
      newMark();
      const [port] = await freePorts(1);
      const s = podStack({
        a: {sidecars: [fixtures.service('proxy', 'sidecar', 'http-server', {env: env({PORT: String(port)}), health: tcpHealth(port!)})], app: forever('app', 'app')},
        b: {sidecars: [forever('proxy', 'sidecar')], app: forever('app', 'app')},
      });
      await s.stack.start();
      const before = Object.fromEntries(s.stack.status().map((x) => [x.name, x]));
      await fixtures.kill9(before['a/proxy']!);
      expect(await waitFor(async () => s.status('a/proxy').restarts === 1 && s.status('a/proxy').state === 'running', 15_000)).toBe(true);
      const after = s.status('a/proxy');
      expect(after.pid ?? after.containerId).not.toEqual(before['a/proxy']!.pid ?? before['a/proxy']!.containerId);
      for (const id of ['a/app', 'b/proxy', 'b/app']) {
        expect(s.status(id), id).toMatchObject({state: 'running', restarts: 0, pid: before[id]!.pid, containerId: before[id]!.containerId});
      }
      expect(s.events.some((e) => e.service.startsWith('b/') && e.type === 'state' && e.to === 'stopping')).toBe(false);
    });

    it('completes once every pod finished: each pod stops its own sidecars, the code is the first non-zero app exit', async () => {
      newMark();
      const s = podStack({
        quick: {sidecars: [forever('side', 'sidecar')], app: fixtures.service('app', 'app', 'exit', {env: env({EXIT_CODE: '0', DELAY_MS: '300'}), restart: 'never'})},
        slow: {sidecars: [forever('side', 'sidecar')], app: fixtures.service('app', 'app', 'exit', {env: env({EXIT_CODE: '3', DELAY_MS: '2500'}), restart: 'never'})},
      });
      await s.stack.start();
      await expect(s.stack.completion).resolves.toEqual({exitCode: 3, reason: 'completed'});
      // quick's sidecar stopped when quick's app completed, while slow's app still ran.
      const quickSideStopped = s.reached('quick/side', 'stopping');
      const slowAppExit = s.events.findIndex((e) => e.service === 'slow/app' && e.type === 'exit');
      expect(quickSideStopped).toBeGreaterThanOrEqual(0);
      expect(quickSideStopped).toBeLessThan(slowAppExit);
      expect(s.events.filter((e) => e.type === 'pod' && e.to === 'completed').map((e) => `${e.service} ${e.detail}`)).toEqual(['quick app exit code 0', 'slow app exit code 3']);
      expect(await waitFor(async () => (await fixtures.survivors(mark)).length === 0, 5000)).toBe(true);
    });

    it('stops pods in reverse order (a pod after every pod that is after it), leaving nothing behind', async () => {
      newMark();
      const s = podStack({
        db: {sidecars: [forever('side', 'sidecar')], app: forever('app', 'app')},
        api: {after: ['db'], sidecars: [fixtures.service('escaper', 'sidecar', 'escaper', {env: env()})], app: forever('app', 'app')},
        web: {after: ['api'], app: forever('app', 'app')},
      });
      await s.stack.start();
      await waitFor(async () => s.logs.some((l) => l.service === 'api/escaper' && l.line.includes('escaped')), 5000);
      expect((await fixtures.survivors(mark)).length).toBeGreaterThanOrEqual(6);
      await s.stack.stop();
      const stopping = s.events.filter((e) => e.type === 'state' && e.to === 'stopping').map((e) => e.service);
      expect(stopping).toEqual(['web/app', 'api/app', 'api/escaper', 'db/app', 'db/side']);
      expect(await fixtures.survivors(mark)).toEqual([]);
    });

    it('reaps every pod\'s units after a supervisor died without stopping them', async () => {
      newMark();
      const s = podStack({
        a: {sidecars: [fixtures.service('stubborn', 'sidecar', 'term-ignorer', {env: env(), stopTimeoutMs: 1000})], app: fixtures.service('app', 'app', 'forever', {env: env(), stopTimeoutMs: 1000})},
        b: {after: ['a'], app: fixtures.service('app', 'app', 'forever', {env: env(), stopTimeoutMs: 1000})},
      }, deaf);
      await s.stack.start();
      await waitFor(async () => s.logs.some((l) => l.service === 'a/stubborn' && l.line.startsWith('started')), 5000);
      const identities = s.stack.identities();
      expect(identities).toHaveLength(3);
      stacks.splice(stacks.indexOf(s.stack), 1);
      const reaped = await makeRuntime().reap(s.manifest, identities);
      expect(reaped.length).toBeGreaterThanOrEqual(4);
      expect(await fixtures.survivors(mark)).toEqual([]);
    });
  });
}
