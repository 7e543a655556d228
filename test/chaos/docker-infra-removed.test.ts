import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import type {Health, Manifest} from '../../src/manifest/types.js';
import {DockerRuntime, Label} from '../../src/runtime/docker/index.js';
import {infraName} from '../../src/runtime/docker/naming.js';
import {Supervisor} from '../../src/supervisor/supervisor.js';
import type {LifecycleEvent} from '../../src/supervisor/types.js';
import {manifest, service} from '../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES, until} from '../integration/docker/docker-engine.js';

// Issue 9.11: `docker rm -f` of the pod's infra container left the app `failed`
// and the sidecars running forever in a network namespace nobody owned.
// Kubernetes: when the sandbox dies, the kubelet kills the pod's containers,
// creates a new sandbox and starts them again (init, sidecars in order, app).
const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const logHealth: Health = {check: {kind: 'log', pattern: '^up$'}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 30_000};
const busy = (name: string, role: 'sidecar' | 'app' | 'init', script: string, health?: Health) =>
  service(name, role, {image: TEST_IMAGES.busybox, command: ['sh', '-c', script], stopTimeoutMs: 2000, ...(health ? {health} : {})});

async function containersOf(m: Manifest): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({all: true, filters: {label: [`${Label.project}=${m.name}`]}});
}

describeDocker('chaos: the infra container is removed (docker)', () => {
  it('recreates the pod: a new infra, then init, sidecars in order and the app, all in the new pod; nothing of the old pod keeps running', async () => {
    const m = manifest({
      ...tempProject('sci'),
      init: [busy('prep', 'init', 'echo prepared')],
      sidecars: [busy('first', 'sidecar', 'echo up; exec sleep 1000', logHealth), busy('second', 'sidecar', 'echo up; exec sleep 1000', logHealth)],
      app: busy('app', 'app', 'echo up; exec sleep 1000', logHealth),
    });
    const runtime = new DockerRuntime();
    const supervisor = new Supervisor({manifest: m, runtime});
    cleanups.push(async () => {
      await supervisor.stop({timeoutMs: 2000});
      await runtime.teardown(m, {removeVolumes: true});
      await Promise.all((await containersOf(m)).map((c) => docker.getContainer(c.Id).remove({force: true})));
    });
    const events: LifecycleEvent[] = [];
    supervisor.on('event', (event) => events.push(event));
    await supervisor.start();
    const oldInfra = (await docker.getContainer(infraName(m, m.pods[0]!.name)).inspect()).Id;
    const oldUnits = supervisor.status().filter((s) => s.role !== 'init').map((s) => s.containerId);

    await docker.getContainer(oldInfra).remove({force: true});

    const newInfra = await until('a new infra container runs', async () => {
      const info = await docker.getContainer(infraName(m, m.pods[0]!.name)).inspect().catch(() => undefined);
      return info && info.Id !== oldInfra && info.State.Running ? info.Id : undefined;
    }, 30_000);
    await until('every service runs again and is healthy', () => supervisor.status().filter((s) => s.role !== 'init').every((s) => s.state === 'running' && s.health === 'healthy' && !oldUnits.includes(s.containerId)) || undefined, 60_000);
    for (const status of supervisor.status().filter((s) => s.role !== 'init')) {
      const info = await docker.getContainer(status.containerId!).inspect();
      expect(info.HostConfig.NetworkMode).toBe(`container:${newInfra}`);
    }
    // Nothing of the old pod keeps running.
    for (const id of oldUnits) {
      const info = await docker.getContainer(id!).inspect().catch(() => undefined);
      expect(info?.State.Running ?? false).toBe(false);
    }
    // Said so, and in lifecycle order: init, first, second, app.
    const recreating = events.findIndex((e) => e.type === 'stack' && e.to === 'recreating');
    expect(recreating).toBeGreaterThanOrEqual(0);
    expect(events[recreating]!.detail).toMatch(/infra container/);
    const started = events.slice(recreating).filter((e) => e.type === 'state' && e.to === 'starting').map((e) => e.service);
    expect(started).toEqual(['prep', 'first', 'second', 'app']);
    expect(events.slice(recreating).some((e) => e.type === 'stack' && e.to === 'ready')).toBe(true);
  }, 180_000);
});
