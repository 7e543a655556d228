import {describe, expect, it} from 'vitest';
import type {Health, Service} from '../../../src/manifest/types.js';
import {Stack} from '../../../src/supervisor/stack.js';
import type {LifecycleEvent} from '../../../src/supervisor/types.js';
import {FakeClock} from '../../helpers/fake-clock.js';
import {FakeRuntime} from '../../helpers/fake-runtime.js';
import {podsByName, service, type PodParts} from '../../helpers/manifest-builder.js';

// DESIGN "Several pods in one manifest": the stack level, in fake time.
const execHealth = (overrides: Partial<Health> = {}): Health => ({check: {kind: 'exec', command: ['check']}, intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 10_000, ...overrides});
const cmd = (name: string, role: Service['role'], overrides: Partial<Service> = {}) => service(name, role, {command: [name], ...overrides});
// A pod of one sidecar and one app; the sidecar is ready once the test says so when it has a health check.
const pod = (overrides: Partial<PodParts> = {}, sidecar: Partial<Service> = {}, app: Partial<Service> = {}): PodParts => ({
  sidecars: [cmd('proxy', 'sidecar', sidecar)],
  app: cmd('app', 'app', app),
  ...overrides,
});

function setup(pods: Record<string, PodParts>) {
  const clock = new FakeClock();
  const runtime = new FakeRuntime(clock);
  const events: LifecycleEvent[] = [];
  const stack = new Stack({manifest: podsByName({name: 'shop', pods}), runtime, clock, random: () => 0.5});
  stack.on('event', (e) => events.push(e));
  const state = (id: string) => stack.status().find((s) => s.name === id)!;
  const ops = (op: 'start' | 'stop' | 'kill') => runtime.log.filter((l) => l.op === op).map((l) => l.service);
  return {clock, runtime, stack, events, state, ops};
}

// Runs a promise while moving fake time until it settles.
async function settle<T>(clock: FakeClock, promise: Promise<T>, budgetMs = 60_000): Promise<T> {
  let outcome: {value?: T; error?: unknown} | undefined;
  promise.then((value) => (outcome = {value}), (error: unknown) => (outcome = {error}));
  for (let t = 0; t < budgetMs && !outcome; t += 50) await clock.advance(50);
  if (!outcome) throw new Error('did not settle in fake time');
  if (outcome.error !== undefined) throw outcome.error;
  return outcome.value as T;
}

describe('Stack start order across pods', () => {
  it('starts a pod only once every pod it is after is ready', async () => {
    const {clock, runtime, stack, ops, state} = setup({
      orders: pod({after: ['payments']}),
      payments: pod({}, {}, {health: execHealth()}),
    });
    const started = stack.start();
    await clock.advance(2000);
    expect(ops('start')).toEqual(['payments/proxy', 'payments/app']);
    expect(state('payments/app')).toMatchObject({pod: 'payments', state: 'starting'});
    runtime.healthy.add('payments/app');
    await settle(clock, started);
    expect(ops('start')).toEqual(['payments/proxy', 'payments/app', 'orders/proxy', 'orders/app']);
    // Status lists pods in start order, each pod's services in start order.
    expect(stack.status().map((s) => [s.name, s.pod, s.state])).toEqual([
      ['payments/proxy', 'payments', 'running'],
      ['payments/app', 'payments', 'running'],
      ['orders/proxy', 'orders', 'running'],
      ['orders/app', 'orders', 'running'],
    ]);
  });

  it('starts independent pods in parallel: neither waits for the other to be ready', async () => {
    const {clock, runtime, stack, ops} = setup({
      a: pod({}, {health: execHealth()}),
      b: pod({}, {health: execHealth()}),
    });
    const started = stack.start();
    await clock.advance(3000);
    // Both pods' first sidecars run, neither ready: no pod waited for the other.
    expect(ops('start')).toEqual(['a/proxy', 'b/proxy']);
    runtime.healthy.add('b/proxy');
    await clock.advance(1500);
    expect(ops('start')).toEqual(['a/proxy', 'b/proxy', 'b/app']);
    runtime.healthy.add('a/proxy');
    await settle(clock, started);
    expect(ops('start')).toEqual(['a/proxy', 'b/proxy', 'b/app', 'a/app']);
  });

  it('says each pod\'s own progress as `pod` events and the stack\'s as `stack` events', async () => {
    const {clock, stack, events} = setup({a: pod(), b: pod({after: ['a']})});
    await settle(clock, stack.start());
    expect(events.filter((e) => e.type === 'stack' || e.type === 'pod').map((e) => `${e.service} ${e.type} ${e.to}`)).toEqual([
      'shop stack starting',
      'a pod starting',
      'a pod ready',
      'b pod starting',
      'b pod ready',
      'shop stack ready',
    ]);
  });

  it('`up POD` starts that pod and the pods it is after, nothing else', async () => {
    const {clock, stack, ops, state} = setup({db: pod(), api: pod({after: ['db']}), web: pod({after: ['api']}), jobs: pod()});
    await settle(clock, stack.start({only: ['api']}));
    expect(ops('start')).toEqual(['db/proxy', 'db/app', 'api/proxy', 'api/app']);
    expect(state('web/app').state).toBe('pending');
    expect(state('jobs/app').state).toBe('pending');
  });

  it('`up POD/SERVICE` starts that service, what it waits for in its pod, and the pods it is after', async () => {
    const {clock, stack, ops} = setup({db: pod(), api: pod({after: ['db'], sidecars: [cmd('proxy', 'sidecar'), cmd('metrics', 'sidecar')]})});
    await settle(clock, stack.start({only: ['api/proxy']}));
    expect(ops('start')).toEqual(['db/proxy', 'db/app', 'api/proxy']);
  });

  it('fails the whole start when a pod cannot come up, stops every pod, and never starts the pods after it', async () => {
    const {clock, runtime, stack, ops} = setup({
      a: pod({init: [cmd('migrate', 'init')]}),
      b: pod(),
      c: pod({after: ['a']}),
    });
    const started = stack.start();
    await clock.advance(10);
    runtime.exit('a/migrate', 4);
    const error = await settle(clock, started).catch((e: unknown) => e);
    expect(error).toMatchObject({code: 'SIDECAR_STACK_FAILED', message: expect.stringMatching(/init "a\/migrate" failed: exited with code 4/)});
    expect(ops('start').filter((id) => id.startsWith('c/'))).toEqual([]);
    expect(runtime.isRunning('b/app') || runtime.isRunning('b/proxy')).toBe(false);
    await expect(stack.completion).resolves.toEqual({exitCode: 0, reason: 'stopped'});
  });
});

describe('Stack isolation across pods', () => {
  it('restarts a crashed unit in its pod only: the other pod keeps its processes', async () => {
    const {clock, runtime, stack, state} = setup({a: pod(), b: pod()});
    await settle(clock, stack.start());
    const pids = {aApp: runtime.pidOf('a/app'), bProxy: runtime.pidOf('b/proxy'), bApp: runtime.pidOf('b/app')};
    runtime.exit('a/proxy', null, 'SIGKILL');
    await clock.advance(300);
    expect(state('a/proxy')).toMatchObject({state: 'running', restarts: 1});
    expect(runtime.pidOf('a/app')).toBe(pids.aApp);
    expect(runtime.pidOf('b/proxy')).toBe(pids.bProxy);
    expect(runtime.pidOf('b/app')).toBe(pids.bApp);
    expect(stack.status().filter((s) => s.pod === 'b').map((s) => s.restarts)).toEqual([0, 0]);
  });

  it('a pod whose app completed stops its own sidecars; the other pod runs on', async () => {
    const {clock, runtime, stack, state, events} = setup({a: pod({}, {}, {restart: 'never'}), b: pod()});
    await settle(clock, stack.start());
    runtime.exit('a/app', 0);
    await clock.advance(100);
    expect(state('a/proxy').state).toBe('exited');
    expect(state('b/proxy').state).toBe('running');
    expect(state('b/app').state).toBe('running');
    expect(events.filter((e) => e.type === 'pod' && e.service === 'a').map((e) => e.to)).toEqual(['starting', 'ready', 'completed', 'stopping', 'stopped']);
    let done = false;
    void stack.completion.then(() => (done = true));
    await clock.advance(1000);
    expect(done).toBe(false);
  });

  it('recreates only the lost pod: its units start again, the other pod is untouched', async () => {
    const {clock, runtime, stack, ops} = setup({a: pod({init: [cmd('setup', 'init')]}), b: pod()});
    const started = stack.start();
    await clock.advance(10);
    runtime.exit('a/setup', 0);
    await settle(clock, started);
    const bPids = [runtime.pidOf('b/proxy'), runtime.pidOf('b/app')];
    const before = runtime.log.length;
    runtime.losePod('a');
    await clock.advance(10);
    runtime.exit('a/setup', 0);
    await clock.advance(1000);
    expect(runtime.preparedPods).toEqual(['a']);
    expect(runtime.log.slice(before).map((l) => `${l.op} ${l.service}`)).toEqual(['stop a/app', 'stop a/proxy', 'start a/setup', 'start a/proxy', 'start a/app']);
    expect([runtime.pidOf('b/proxy'), runtime.pidOf('b/app')]).toEqual(bPids);
    expect(ops('stop').some((id) => id.startsWith('b/'))).toBe(false);
  });

  it('a pod that cannot be recreated ends with code 1 by itself; the other pod runs on and the stack completes with 1', async () => {
    const {clock, runtime, stack, state, events} = setup({a: pod(), b: pod({}, {}, {restart: 'never'})});
    await settle(clock, stack.start());
    runtime.unpreparable.add('a');
    runtime.losePod('a');
    await clock.advance(100);
    expect(state('a/app').state).toBe('exited');
    expect(state('b/app').state).toBe('running');
    expect(events.filter((e) => e.type === 'pod' && e.service === 'a').map((e) => e.to)).toEqual(['starting', 'ready', 'recreating', 'failed', 'stopping', 'stopped']);
    runtime.exit('b/app', 0);
    await expect(settle(clock, stack.completion)).resolves.toEqual({exitCode: 1, reason: 'completed'});
  });

  it('restart of a service names it by id and touches nothing else', async () => {
    const {clock, runtime, stack} = setup({a: pod(), b: pod()});
    await settle(clock, stack.start());
    const before = {a: runtime.pidOf('a/proxy'), b: runtime.pidOf('b/proxy')};
    await settle(clock, stack.restart(['b/proxy']));
    expect(runtime.pidOf('b/proxy')).not.toBe(before.b);
    expect(runtime.pidOf('a/proxy')).toBe(before.a);
    await expect(stack.restart(['proxy'])).rejects.toMatchObject({code: 'SIDECAR_UNKNOWN_SERVICE'});
  });
});

describe('Stack completion across pods', () => {
  it('completes with 0 once every pod\'s app exited 0', async () => {
    const {clock, runtime, stack, events} = setup({a: pod({}, {}, {restart: 'never'}), b: pod({after: ['a']}, {}, {restart: 'never'})});
    await settle(clock, stack.start());
    runtime.exit('b/app', 0);
    await clock.advance(10);
    runtime.exit('a/app', 0);
    await expect(settle(clock, stack.completion)).resolves.toEqual({exitCode: 0, reason: 'completed'});
    expect(events.filter((e) => e.type === 'stack').map((e) => e.to)).toEqual(['starting', 'ready', 'stopped']);
  });

  it('completes once the pods it started are done, when `up POD` started only some (the others never block it)', async () => {
    const {clock, runtime, stack, events} = setup({a: pod({}, {}, {restart: 'never'}), b: pod({}, {}, {restart: 'never'})});
    await settle(clock, stack.start({only: ['a/app']}));
    runtime.exit('a/app', 4);
    await expect(settle(clock, stack.completion)).resolves.toEqual({exitCode: 4, reason: 'completed'});
    expect(events.filter((e) => e.type === 'stack').map((e) => e.to)).toEqual(['starting', 'ready', 'stopped']);
    expect(stack.status().filter((s) => s.pod === 'b').map((s) => s.state)).toEqual(['pending', 'pending']);
  });

  it('completes with the first non-zero app exit code, whatever the others did', async () => {
    const {clock, runtime, stack} = setup({a: pod({}, {}, {restart: 'never'}), b: pod({}, {}, {restart: 'never'}), c: pod({}, {}, {restart: 'never'})});
    await settle(clock, stack.start());
    runtime.exit('b/app', 0);
    await clock.advance(10);
    runtime.exit('c/app', 3);
    await clock.advance(10);
    runtime.exit('a/app', 9);
    await expect(settle(clock, stack.completion)).resolves.toEqual({exitCode: 3, reason: 'completed'});
    expect(stack.status().every((s) => s.state === 'exited')).toBe(true);
  });

  it('counts an app failed past maxRestarts as its pod finishing with that code', async () => {
    const {clock, runtime, stack} = setup({a: pod({}, {}, {maxRestarts: 0}), b: pod({}, {}, {restart: 'never'})});
    await settle(clock, stack.start());
    runtime.exit('a/app', 2);
    await clock.advance(10);
    runtime.exit('b/app', 0);
    await expect(settle(clock, stack.completion)).resolves.toEqual({exitCode: 2, reason: 'completed'});
  });
});

describe('Stack stop order across pods', () => {
  it('stops pods in reverse order: a pod after every pod that is after it', async () => {
    const {clock, stack, ops} = setup({db: pod(), api: pod({after: ['db']}), web: pod({after: ['api']}), jobs: pod({after: ['db']})});
    await settle(clock, stack.start());
    await settle(clock, stack.stop());
    const stops = ops('stop');
    const last = (pod: string) => Math.max(...stops.map((id, i) => (id.startsWith(`${pod}/`) ? i : -1)));
    const first = (pod: string) => stops.findIndex((id) => id.startsWith(`${pod}/`));
    expect(last('web')).toBeLessThan(first('api'));
    expect(last('api')).toBeLessThan(first('db'));
    expect(last('jobs')).toBeLessThan(first('db'));
    // Within a pod: the app first, then its sidecars in reverse.
    expect(stops.filter((id) => id.startsWith('db/'))).toEqual(['db/app', 'db/proxy']);
    await expect(stack.completion).resolves.toEqual({exitCode: 0, reason: 'stopped'});
  });

  it('stops independent pods in parallel: a slow pod does not hold the other', async () => {
    const {clock, runtime, stack} = setup({a: pod(), b: pod()});
    runtime.ignoresStop.add('a/app');
    await settle(clock, stack.start());
    const t0 = clock.now();
    const stopped = stack.stop({timeoutMs: 5000});
    await clock.advance(10);
    // b stopped at once while a's app still waits out its stop timeout.
    expect(runtime.log.filter((l) => l.op === 'stop' && l.service.startsWith('b/')).map((l) => l.time - t0)).toEqual([0, 0]);
    expect(runtime.isRunning('a/app')).toBe(true);
    await settle(clock, stopped);
    expect(runtime.isRunning('a/app')).toBe(false);
  });

  it('a stop while one pod already completed stops the rest and reports a stop', async () => {
    const {clock, runtime, stack} = setup({a: pod({}, {}, {restart: 'never'}), b: pod()});
    await settle(clock, stack.start());
    runtime.exit('a/app', 5);
    await clock.advance(10);
    await settle(clock, stack.stop());
    expect(runtime.isRunning('b/app')).toBe(false);
    await expect(stack.completion).resolves.toEqual({exitCode: 0, reason: 'stopped'});
  });
});

describe('Stack.update across pods', () => {
  it('`up payments`, then `up orders` starts orders (its init jobs first) without touching payments', async () => {
    const pods = {payments: pod(), orders: pod({after: ['payments'], init: [cmd('seed', 'init')]}), web: pod({after: ['orders']})};
    const {clock, runtime, stack, state} = setup(pods);
    await settle(clock, stack.start({only: ['payments']}));
    const before = runtime.log.length;
    const updated = stack.update(podsByName({name: 'shop', pods}), ['orders']);
    await clock.advance(10);
    runtime.exit('orders/seed', 0);
    expect(await settle(clock, updated)).toEqual({
      recreated: [],
      started: ['orders/proxy', 'orders/app'],
      unchanged: ['payments/proxy', 'payments/app', 'orders/seed', 'web/proxy', 'web/app'],
    });
    expect(runtime.log.slice(before).map((l) => `${l.op} ${l.service}`)).toEqual(['start orders/seed', 'start orders/proxy', 'start orders/app']);
    expect(state('web/app').state).toBe('pending');
  });

  it('recreates a changed service by id in its own pod only', async () => {
    const pods = (level: string) => ({a: pod(), b: pod({}, {env: {LEVEL: level}})});
    const {clock, runtime, stack} = setup(pods('info'));
    await settle(clock, stack.start());
    const before = runtime.log.length;
    const result = await settle(clock, stack.update(podsByName({name: 'shop', pods: pods('debug')})));
    expect(result.recreated).toEqual(['b/proxy']);
    expect(runtime.log.slice(before).map((l) => `${l.op} ${l.service}`)).toEqual(['stop b/proxy', 'start b/proxy']);
  });
});

describe('Stack restart of a whole pod', () => {
  it('reruns its init jobs first, to completion, then restarts its sidecars and app; the other pod is untouched', async () => {
    const {clock, runtime, stack} = setup({a: pod({init: [cmd('seed', 'init')]}), b: pod()});
    const started = stack.start();
    await clock.advance(10);
    runtime.exit('a/seed', 0);
    await settle(clock, started);
    const bPid = runtime.pidOf('b/app');
    const before = runtime.log.length;
    const restarted = stack.restart(['a/seed', 'a/proxy', 'a/app']);
    await clock.advance(10);
    expect(runtime.log.slice(before).map((l) => `${l.op} ${l.service}`)).toEqual(['start a/seed']);
    runtime.exit('a/seed', 0);
    await settle(clock, restarted);
    expect(runtime.log.slice(before + 1).map((l) => `${l.op} ${l.service}`).sort()).toEqual(['start a/app', 'start a/proxy', 'stop a/app', 'stop a/proxy']);
    expect(runtime.pidOf('b/app')).toBe(bPid);
  });
});

describe('Stack: a finished pod starts again', () => {
  it('`up POD` of a pod whose app completed while the others run starts it whole again', async () => {
    const pods = {jobs: pod({init: [cmd('prep', 'init')]}, {}, {restart: 'never'}), web: pod()};
    const {clock, runtime, stack, state} = setup(pods);
    const started = stack.start();
    await clock.advance(10);
    runtime.exit('jobs/prep', 0);
    await settle(clock, started);
    runtime.exit('jobs/app', 0);
    await clock.advance(100);
    expect(state('jobs/proxy').state).toBe('exited');
    const updated = stack.update(podsByName({name: 'shop', pods}), ['jobs/proxy', 'jobs/app', 'jobs/prep']);
    await clock.advance(10);
    runtime.exit('jobs/prep', 0);
    expect((await settle(clock, updated)).started).toEqual(['jobs/proxy', 'jobs/app']);
    expect(stack.status().filter((s) => s.pod === 'jobs').map((s) => s.state)).toEqual(['exited', 'running', 'running']);
    // It can complete again; the stack completes once web is done too.
    runtime.exit('jobs/app', 0);
    await clock.advance(100);
    runtime.exit('web/app', 4);
    await clock.advance(300);
    expect(state('web/app').state).toBe('running');
    await settle(clock, stack.stop());
    await expect(stack.completion).resolves.toEqual({exitCode: 0, reason: 'stopped'});
  });
});

describe('Stack.update: a pod that could not start', () => {
  it('is stopped again, leaves the running pods alone, and a later `up POD` tries it again', async () => {
    const pods = {payments: pod(), orders: pod({after: ['payments'], init: [cmd('seed', 'init')]})};
    const {clock, runtime, stack, state} = setup(pods);
    await settle(clock, stack.start({only: ['payments']}));
    const first = stack.update(podsByName({name: 'shop', pods}), ['orders']);
    await clock.advance(10);
    runtime.exit('orders/seed', 1);
    await expect(settle(clock, first)).rejects.toMatchObject({code: 'SIDECAR_STACK_FAILED', message: expect.stringMatching(/init "orders\/seed" failed/)});
    expect(state('payments/app').state).toBe('running');
    const second = stack.update(podsByName({name: 'shop', pods}), ['orders']);
    await clock.advance(10);
    runtime.exit('orders/seed', 0);
    expect((await settle(clock, second)).started).toEqual(['orders/proxy', 'orders/app']);
    expect(state('orders/app').state).toBe('running');
  });
});
