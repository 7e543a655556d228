import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import type {Health, Manifest} from '../../src/manifest/types.js';
import {DockerRuntime, Label} from '../../src/runtime/docker/index.js';
import {Supervisor} from '../../src/supervisor/supervisor.js';
import {manifest, service} from '../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES} from '../integration/docker/docker-engine.js';

// Issue 9.11: with 50 sidecars under log probes `up` failed after 61 s.
// The bound below is generous for a loaded 2-core machine; the figures are in
// docs/docker-runtime.md ("Many sidecars").
const SIDECARS = 50;
const BOUND_MS = 90_000;
const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const logHealth: Health = {check: {kind: 'log', pattern: '^ready$'}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000};
const ready = (name: string, role: 'sidecar' | 'app') => service(name, role, {image: TEST_IMAGES.busybox, command: ['sh', '-c', 'echo ready; exec sleep 1000'], health: logHealth, stopTimeoutMs: 2000});

async function removeAll(m: Manifest): Promise<void> {
  const left = await docker.listContainers({all: true, filters: {label: [`${Label.project}=${m.name}`]}});
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({force: true})));
}

describeDocker('chaos: 50 sidecars under log probes (docker)', () => {
  it(`are all ready within ${BOUND_MS / 1000}s and stop as a whole`, async () => {
    const m = manifest({...tempProject('scm'), sidecars: Array.from({length: SIDECARS}, (_, i) => ready(`s${i}`, 'sidecar')), app: ready('app', 'app')});
    const runtime = new DockerRuntime();
    cleanups.push(async () => {
      await runtime.teardown(m, {removeVolumes: true});
      await removeAll(m);
    });
    const supervisor = new Supervisor({manifest: m, runtime});
    const began = Date.now();
    await supervisor.start();
    const tookMs = Date.now() - began;
    console.info(`[chaos] ${SIDECARS} sidecars + app with log probes ready in ${tookMs} ms`);
    expect(supervisor.status().filter((s) => s.state === 'running' && s.health === 'healthy')).toHaveLength(SIDECARS + 1);
    expect(tookMs).toBeLessThan(BOUND_MS);
    const stopping = Date.now();
    await supervisor.stop({timeoutMs: 2000});
    console.info(`[chaos] stopped in ${Date.now() - stopping} ms`);
    // The engine's container list trails its die events: right after the last exit was
    // reported, up to 20 of the 50 were still listed as running here, and none 23-52 ms
    // later (6 runs). Stopped means listed as stopped soon after: 15 s, for the engine of
    // a loaded 2-core CI machine (a container left running is never listed as stopped).
    const runningSidecars = () => docker.listContainers({filters: {label: [`${Label.project}=${m.name}`, `${Label.role}=sidecar`]}});
    let running = await runningSidecars();
    for (const deadline = Date.now() + 15_000; running.length > 0 && Date.now() < deadline; running = await runningSidecars()) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(running).toEqual([]);
  }, 300_000);
});
