import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import {infraName, Label} from '../../../src/runtime/docker/naming.js';
import {manifest, podsManifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES, until} from './docker-engine.js';
import {EngineRecorder} from './engine-recorder.js';

// A teardown that comes while the stack is still starting (`up -d` then `down` at
// once, Ctrl-C of `up --wait` right after the supervisor answered): a creation
// the engine answered after the teardown listed the project's containers
// outlived it. Found by a review: 1 run in 4 of `up -d; down` left the app and
// a sidecar behind, Created. Here a recording proxy makes that order certain.
const docker = new Docker();
const SERVE = ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describeDocker('teardown while containers are being created', () => {
  it('creates nothing once the teardown began, waits for what was asked, and leaves no container behind', async () => {
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    const {dir, name} = tempProject('teardown-creating');
    const unit = (id: string, role: 'app' | 'sidecar') => service(id, role, {image: TEST_IMAGES.busybox, command: SERVE, stopTimeoutMs: 1000});
    const m = manifest({name, dir, sidecars: [unit('first', 'sidecar'), unit('second', 'sidecar')], app: unit('app', 'app')});
    const infra = infraName(m, m.pods[0]!.name);
    const isUnitCreate = (c: {method: string; path: string; query: string}): boolean => c.method === 'POST' && c.path === '/containers/create' && new URLSearchParams(c.query).get('name') !== infra;
    const isList = (c: {method: string; path: string}): boolean => c.method === 'GET' && c.path === '/containers/json';
    // The engine makes the units only once the teardown asked for its list, and that
    // list (made before them) is answered only once they were: a list that misses them.
    const teardown = {from: Number.POSITIVE_INFINITY};
    const byTeardown = (c: {seq: number}): boolean => c.seq >= teardown.from;
    recorder.holdRequests(isUnitCreate, (calls) => calls.some((c) => isList(c) && byTeardown(c)), 3000);
    recorder.holdAnswers((c) => isList(c) && byTeardown(c), (calls) => calls.filter(isUnitCreate).every((c) => c.answered !== undefined), 3000);
    const runtime = new DockerRuntime({client: new Docker({socketPath: recorder.socketPath})});
    cleanups.push(() => new DockerRuntime().teardown(m, {removeVolumes: true}));
    // The start as the supervisor begins it: every container of the pod created while its infra starts.
    runtime.precreate([...m.pods[0]!.sidecars, m.pods[0]!.app]);
    const preparing = runtime.prepare(m, {log: () => undefined}).catch((error: unknown) => error);
    await until('a unit\'s creation asked', () => recorder.calls.some(isUnitCreate) || undefined);

    teardown.from = recorder.calls.length;
    await runtime.teardown(m, {removeVolumes: true});
    await preparing;
    // Asked to start a unit after the teardown, the runtime creates nothing more.
    await expect(runtime.start(m.pods[0]!.app)).rejects.toThrow();
    const left = await docker.listContainers({all: true, filters: {label: [`${Label.project}=${name}`]}});
    expect(left.map((c) => `${c.Names[0]} ${c.State}`)).toEqual([]);
  });

  it('the project network (pods form) asked for before the teardown is removed with it', async () => {
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    const {dir, name} = tempProject('teardown-network');
    const unit = (id: string) => service(id, 'app', {image: TEST_IMAGES.busybox, command: SERVE, stopTimeoutMs: 1000});
    const m = podsManifest({name, dir, pods: [{name: 'a', app: unit('app')}, {name: 'b', app: unit('app')}]});
    const isNetworkCreate = (c: {method: string; path: string}): boolean => c.method === 'POST' && c.path === '/networks/create';
    const isNetworkList = (c: {method: string; path: string}): boolean => c.method === 'GET' && c.path === '/networks';
    // The engine makes the network only once the teardown asked for its networks, and that list is answered only once it was made.
    recorder.holdRequests(isNetworkCreate, (calls) => calls.some(isNetworkList), 3000);
    recorder.holdAnswers(isNetworkList, (calls) => calls.filter(isNetworkCreate).every((c) => c.answered !== undefined), 3000);
    const runtime = new DockerRuntime({client: new Docker({socketPath: recorder.socketPath})});
    cleanups.push(() => new DockerRuntime().teardown(m, {removeVolumes: true}));
    const preparing = runtime.prepare(m, {log: () => undefined}).catch((error: unknown) => error);
    await until('the network asked for', () => recorder.calls.some(isNetworkCreate) || undefined);
    await runtime.teardown(m, {removeVolumes: true});
    await preparing;
    const left = await docker.listNetworks({filters: {label: [`${Label.project}=${name}`]}});
    expect(left.map((n) => n.Name)).toEqual([]);
  });
});
