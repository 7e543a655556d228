import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import {CREATE_CONCURRENCY} from '../../../src/runtime/docker/precreated.js';
import {containerName, infraName} from '../../../src/runtime/docker/naming.js';
import {Stack} from '../../../src/supervisor/stack.js';
import type {LifecycleEvent} from '../../../src/supervisor/types.js';
import type {Manifest} from '../../../src/manifest/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES} from './docker-engine.js';
import {EngineRecorder, type RecordedCall} from './engine-recorder.js';

// Issue 13.2 / 13.5: what `up` and `down` ask the engine, read from a recording
// proxy in front of the real engine: which calls, and in which order (never how
// long they took). A Kubernetes pod's containers are created from one spec
// before the kubelet starts them in order; containerd's CRI kills the pause
// container once the pod's containers stopped. A held answer is released as soon as
// its condition holds; the 60 s bounds are for a loaded CI machine, and each test's
// 120 s lets a client that does wait for a held answer fail on the order, not time out.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SERVE = ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];
const byId = /^\/containers\/[0-9a-f]{64}\//;

// The id in a /containers/ID/... path.
const idOf = (call: RecordedCall): string => call.path.split('/')[2]!;

// Gates off (SIDECAR_DOCKER_GATE=0): the order of the engine's starts is what
// every engine without gates (remote, Docker Desktop, an architecture with no
// gate binary) gets. The gated start is pinned below.
function withoutGates(): void {
  const before = process.env.SIDECAR_DOCKER_GATE;
  process.env.SIDECAR_DOCKER_GATE = '0';
  cleanups.push(async () => {
    if (before === undefined) delete process.env.SIDECAR_DOCKER_GATE;
    else process.env.SIDECAR_DOCKER_GATE = before;
  });
}

// A stack of `m` started through the recorder, its events kept; torn down after the test.
async function startThrough(recorder: EngineRecorder, m: Manifest): Promise<{runtime: DockerRuntime; stack: Stack; events: LifecycleEvent[]}> {
  const runtime = new DockerRuntime({client: new Docker({socketPath: recorder.socketPath})});
  cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
  const stack = new Stack({manifest: m, runtime});
  const events: LifecycleEvent[] = [];
  stack.on('event', (event) => events.push(event));
  await stack.start();
  return {runtime, stack, events};
}

describeDocker('engine calls of up and down (recorded)', () => {
  it('creates every container while the infra starts, at most CREATE_CONCURRENCY at once, looks each image up once and no service up by name, starts in order, and kills the infra instead of stopping it', async () => {
    withoutGates();
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    const {dir, name} = tempProject('calls');
    const unit = (id: string, role: 'app' | 'sidecar') =>
      service(id, role, {image: TEST_IMAGES.busybox, command: SERVE, stopTimeoutMs: 2000, volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: false}]});
    const sidecars = Array.from({length: CREATE_CONCURRENCY + 3}, (_v, i) => unit(`s${i + 1}`, 'sidecar'));
    const m = manifest({name, dir, volumes: ['shared'], sidecars, app: unit('app', 'app')});
    // The infra's start (the first start of the stack) is answered only once the first
    // CREATE_CONCURRENCY containers were asked for, or after 60 s: a client that creates
    // them while the infra starts is never beaten by a quick engine, and one that waits
    // for that answer first still asks for them after it (held until the 60 s are over).
    const isStart = (c: RecordedCall): boolean => c.method === 'POST' && byId.test(c.path) && c.path.endsWith('/start');
    const firstCreated = [...sidecars, m.pods[0]!.app].slice(0, CREATE_CONCURRENCY).map((s) => `name=${containerName(m, s)}`);
    recorder.holdAnswers(
      (c) => isStart(c) && recorder.calls.find(isStart) === c,
      (calls) => firstCreated.every((who) => calls.some((c) => c.method === 'POST' && c.path === '/containers/create' && c.query.includes(who))),
      60_000,
    );
    const {runtime, stack, events} = await startThrough(recorder, m);
    const upCalls = recorder.calls.length;
    await stack.stop();
    await runtime.teardown(m, {removeVolumes: true});
    const calls = recorder.calls;
    const up = calls.slice(0, upCalls);

    // Creation needs no order: the first CREATE_CONCURRENCY containers (in start order) are asked for before the infra's start is answered, the rest as these are made.
    const creates = up.filter((c) => c.method === 'POST' && c.path === '/containers/create');
    const created = (who: string) => creates.find((c) => c.query.includes(`name=${who}`));
    const infraCreate = created(infraName(m, m.pods[0]!.name))!;
    expect(infraCreate).toBeDefined();
    // Every service starts after the infra's start answered: the first start is the infra's.
    const infraStart = up.find(isStart)!;
    [...sidecars, m.pods[0]!.app].forEach((s, i) => {
      const create = created(containerName(m, s));
      expect(create, `${s.id} created`).toBeDefined();
      if (i < CREATE_CONCURRENCY) expect(create!.asked, `${s.id} asked for before the infra's start answered`).toBeLessThan(infraStart.answered!);
    });
    // Bounded: never more creations in flight than CREATE_CONCURRENCY.
    const moments = creates.filter((c) => c !== infraCreate).flatMap((c) => [{at: c.asked, d: 1}, {at: c.answered!, d: -1}]).sort((a, b) => a.at - b.at);
    let inFlight = 0;
    let most = 0;
    for (const moment of moments) most = Math.max(most, (inFlight += moment.d));
    expect(most).toBeLessThanOrEqual(CREATE_CONCURRENCY);

    // One look per image for the whole start; containers are looked up by name only for the pod's infra (its reuse).
    const imageLooks = up.filter((c) => c.method === 'GET' && c.path.startsWith('/images/')).map((c) => c.path);
    expect(imageLooks.sort()).toEqual([`/images/${TEST_IMAGES.busybox}/json`, `/images/${TEST_IMAGES.pause}/json`].sort());
    const byName = up.filter((c) => c.method === 'GET' && /^\/containers\/[^/]+\/json$/.test(c.path) && !byId.test(c.path.replace(/json$/, '')));
    expect(byName.map((c) => c.path)).toEqual([`/containers/${infraName(m, m.pods[0]!.name)}/json`]);

    // Starts in lifecycle order, each after the previous one's start answered.
    const starts = up.filter((c) => c.method === 'POST' && c.path.endsWith('/start') && c !== infraStart);
    expect(starts).toHaveLength(sidecars.length + 1);
    for (let i = 1; i < starts.length; i++) expect(starts[i]!.asked).toBeGreaterThan(starts[i - 1]!.answered!);
    const startedOrder = events.filter((e) => e.type === 'state' && e.to === 'running').map((e) => e.service);
    expect(startedOrder).toEqual([...sidecars.map((s) => s.id), 'app']);

    // down: the pod's infra is killed (SIGKILL) or removed with force, never stopped with a grace period.
    const down = calls.slice(upCalls);
    const infra = idOf(infraStart);
    expect(down.filter((c) => c.path === `/containers/${infra}/stop`)).toEqual([]);
    expect(down.some((c) => (c.path === `/containers/${infra}/kill` && c.query.includes('signal=SIGKILL')) || (c.method === 'DELETE' && c.path === `/containers/${infra}`))).toBe(true);
  }, 120_000);

  // Issue 13.5 (start-gate.ts): on a local engine the containers are started
  // together, each program behind its gate, and the programs run in lifecycle order.
  it('with gates: starts the containers together, at most CREATE_CONCURRENCY at once, and runs each program once, in lifecycle order', async () => {
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    const {dir, name} = tempProject('gated-calls');
    const unit = (id: string, role: 'app' | 'sidecar') =>
      service(id, role, {
        image: TEST_IMAGES.busybox,
        command: ['sh', '-c', `echo ${id} >> /data/ran; trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done`],
        stopTimeoutMs: 2000,
        volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: false}],
      });
    const sidecars = Array.from({length: CREATE_CONCURRENCY + 3}, (_v, i) => unit(`s${i + 1}`, 'sidecar'));
    const m = manifest({name, dir, volumes: ['shared'], sidecars, app: unit('app', 'app')});
    const {runtime, stack, events} = await startThrough(recorder, m);
    // Read past the recorder (it does not pass an exec's upgraded connection on).
    const ran = {stdout: execFileSync('docker', ['exec', containerName(m, m.pods[0]!.app), 'cat', '/data/ran'], {encoding: 'utf8', timeout: 10_000})};
    const up = recorder.calls.slice();
    await stack.stop();
    const gates = readFileSync(path.join(dir, '.sidecar', 'gates-dir'), 'utf8').trim();
    const leftBefore = existsSync(gates) ? readdirSync(gates) : [];
    await runtime.teardown(m, {removeVolumes: true});

    // Each service's container was created with the gate in front of its program.
    // (dockerode sends the spec in the query too.)
    const creates = up.filter((c) => c.method === 'POST' && c.path === '/containers/create' && !c.query.includes(`name=${infraName(m, m.pods[0]!.name)}&`));
    expect(creates).toHaveLength(sidecars.length + 1);
    for (const create of creates) {
      expect(create.query).toContain('&Entrypoint=/.sidecar-gate/gate&Entrypoint=/.sidecar-gate/fifo&Entrypoint=sh&Entrypoint=-c&');
      expect(create.query).toContain('"Target":"/.sidecar-gate","ReadOnly":true');
    }
    // The engine's starts overlap (they would not, started one after another), never more than CREATE_CONCURRENCY at once.
    const starts = up.filter((c) => c.method === 'POST' && byId.test(c.path) && c.path.endsWith('/start')).slice(1);
    expect(starts).toHaveLength(sidecars.length + 1);
    const moments = starts.flatMap((c) => [{at: c.asked, d: 1}, {at: c.answered!, d: -1}]).sort((a, b) => a.at - b.at || a.d - b.d);
    let inFlight = 0;
    let most = 0;
    for (const moment of moments) most = Math.max(most, (inFlight += moment.d));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(CREATE_CONCURRENCY);
    // Running in lifecycle order, each program once.
    const startedOrder = events.filter((e) => e.type === 'state' && e.to === 'running').map((e) => e.service);
    expect(startedOrder).toEqual([...sidecars.map((s) => s.id), 'app']);
    expect(ran.stdout.trim().split('\n').sort()).toEqual([...sidecars.map((s) => s.id), 'app'].sort());
    // The gate directories lived as long as their containers, and went with the teardown.
    expect(leftBefore.length).toBeGreaterThan(0);
    expect(existsSync(gates)).toBe(false);
  }, 120_000);
});

describeDocker('engine calls of prepare (recorded)', () => {
  it('asks for volumes, images and the network without waiting for the event subscription, and creates the infra only once it is in place', async () => {
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    // The engine's answer to the subscription is held until the prepare's three other calls (the volume, the two images) were asked, or 60 s passed
    // (the hold ends as soon as they were: the long bound is for a loaded CI machine, not a wait).
    const isEvents = (c: RecordedCall): boolean => c.method === 'GET' && c.path === '/events';
    const isPrepare = (c: RecordedCall): boolean => (c.method === 'POST' && c.path === '/volumes/create') || (c.method === 'GET' && c.path.startsWith('/images/'));
    recorder.holdAnswers(isEvents, (calls) => calls.filter(isPrepare).length >= 3, 60_000);
    const {dir, name} = tempProject('prepare-calls');
    const app = service('app', 'app', {image: TEST_IMAGES.busybox, command: SERVE, stopTimeoutMs: 2000, volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: false}]});
    const m = manifest({name, dir, volumes: ['shared'], sidecars: [], app});
    const runtime = new DockerRuntime({client: new Docker({socketPath: recorder.socketPath})});
    cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
    const stack = new Stack({manifest: m, runtime});
    await stack.start();
    await stack.stop();

    const calls = recorder.calls;
    const events = calls.find(isEvents)!;
    expect(events).toBeDefined();
    const prepare = calls.filter(isPrepare);
    expect(prepare).toHaveLength(3);
    // Asked while the subscription was still unanswered: nobody waited for it.
    for (const call of prepare) expect(call.asked, `${call.method} ${call.path} asked before /events answered`).toBeLessThan(events.answered!);
    // Every container (the infra first) is created once the subscription is in place: no event of the stack is missed.
    const firstCreate = calls.find((c) => c.method === 'POST' && c.path === '/containers/create')!;
    expect(firstCreate.asked).toBeGreaterThan(events.answered!);
  }, 120_000);
});

describeDocker('engine calls of a pod without probes (recorded)', () => {
  it('creates the infra without waiting for /info, which only the probes\' route needs', async () => {
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    const isInfo = (c: RecordedCall): boolean => c.method === 'GET' && c.path === '/info';
    const isCreate = (c: RecordedCall): boolean => c.method === 'POST' && c.path === '/containers/create';
    // /info's answer is held until a container was asked for, or 60 s passed (the hold ends as soon as one was).
    recorder.holdAnswers(isInfo, (calls) => calls.some(isCreate), 60_000);
    const {dir, name} = tempProject('info-calls');
    const app = service('app', 'app', {image: TEST_IMAGES.busybox, command: SERVE, stopTimeoutMs: 2000});
    const m = manifest({name, dir, sidecars: [], app});
    const runtime = new DockerRuntime({client: new Docker({socketPath: recorder.socketPath})});
    cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
    const stack = new Stack({manifest: m, runtime});
    await stack.start();
    await stack.stop();

    const infraCreate = recorder.calls.find((c) => isCreate(c) && c.query.includes(`name=${infraName(m, m.pods[0]!.name)}`))!;
    expect(infraCreate).toBeDefined();
    const info = recorder.calls.find(isInfo);
    // Asked or not, the infra's creation did not wait for its answer.
    if (info) expect(infraCreate.asked).toBeLessThan(info.answered!);
  }, 120_000);
});
