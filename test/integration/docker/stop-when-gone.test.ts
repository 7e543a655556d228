import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import {hostProcessOf} from '../../../src/runtime/docker/host-process.js';
import {containerName, infraName, projectFilter} from '../../../src/runtime/docker/naming.js';
import {Stack} from '../../../src/supervisor/stack.js';
import type {LifecycleEvent} from '../../../src/supervisor/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES} from './docker-engine.js';
import {EngineRecorder} from './engine-recorder.js';

// Issue 13.2: the engine reports an exit (`die`) tens of ms after the container's
// processes are gone. The stop order (DESIGN 6: app, then sidecars in reverse)
// waits for the processes to be gone, not for the engine's bookkeeping; the exit
// codes are reported all the same, and nothing is left behind.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SERVE = ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];
// Long enough that the stop order and the infra's kill (several engine calls) fit
// in it on a loaded 2-core CI machine; the units' stop timeout is well above it.
const LATE_MS = 5000;
const isDie = (line: string): boolean => /"(Action|status)":"die"/.test(line);

// The engine this suite runs against puts containers in cgroups this host sees
// (rootful Docker, podman as root): then the supervisor pins their processes.
async function enginePins(docker: Docker): Promise<boolean> {
  const container = await docker.createContainer({Image: TEST_IMAGES.busybox, Cmd: ['sleep', '30'], Labels: {'sidecar.test': 'pin-probe'}});
  try {
    await container.start();
    return hostProcessOf(await container.inspect()) !== undefined;
  } finally {
    await container.remove({force: true});
  }
}

describeDocker('stop order by the processes, not by the engine\'s exit report', () => {
  it('stops each sidecar once the unit before it is gone, before the engine reports that exit, and still reports every exit code', async () => {
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    const docker = new Docker({socketPath: recorder.socketPath});
    // CI's engine is rootful Docker: its containers' processes must be pinned. (Rootless
    // Docker has no cgroup that proves a pid is the container's: the engine's report counts there.)
    expect(await enginePins(docker), 'the supervisor can pin this engine\'s container processes').toBe(true);
    const {dir, name} = tempProject('stop-gone');
    const unit = (id: string, role: 'app' | 'sidecar') => service(id, role, {image: TEST_IMAGES.busybox, command: SERVE, stopTimeoutMs: 4 * LATE_MS});
    const m = manifest({name, dir, sidecars: [unit('outer', 'sidecar'), unit('inner', 'sidecar')], app: unit('app', 'app')});
    const runtime = new DockerRuntime({client: docker});
    cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
    const stack = new Stack({manifest: m, runtime});
    const events: LifecycleEvent[] = [];
    stack.on('event', (event) => events.push(event));
    await stack.start();
    const infraId = (await docker.getContainer(infraName(m, m.pods[0]!.name)).inspect()).Id;
    // Every exit the engine reports from now on reaches the supervisor LATE_MS late.
    recorder.delayEvents(isDie, LATE_MS);
    const began = performance.now();
    const stopsAsked = recorder.calls.length;
    await stack.stop();
    const took = performance.now() - began;

    const at = (service: string, to: string): number => events.findIndex((e) => e.type === 'state' && e.service === service && e.to === to);
    // In order, each stop after the one before it, and before the engine reported the one before it.
    expect(at('app', 'stopping')).toBeGreaterThanOrEqual(0);
    expect(at('inner', 'stopping')).toBeGreaterThan(at('app', 'stopping'));
    expect(at('outer', 'stopping')).toBeGreaterThan(at('inner', 'stopping'));
    expect(at('inner', 'stopping')).toBeLessThan(at('app', 'exited'));
    expect(at('outer', 'stopping')).toBeLessThan(at('inner', 'exited'));
    // Each late report waited for once, side by side: not even two reports one after
    // another (that alone takes 2 * LATE_MS; side by side takes LATE_MS plus the stops).
    expect(took).toBeLessThan(2 * LATE_MS);
    // The codes still come from the engine: each trapped TERM and exited 0.
    expect(stack.status().map((s) => [s.name, s.state, s.exitCode])).toEqual([
      ['outer', 'exited', 0],
      ['inner', 'exited', 0],
      ['app', 'exited', 0],
    ]);
    // The stop signal went to each pinned process directly: no unit was killed through the engine.
    const ids = await Promise.all(['outer', 'inner', 'app'].map(async (id) => (await docker.getContainer(containerName(m, m.pods[0]!.sidecars.find((s) => s.name === id) ?? m.pods[0]!.app)).inspect()).Id));
    const unitKills = recorder.calls.slice(stopsAsked).filter((c) => c.path.endsWith('/kill') && ids.some((id) => c.path.includes(id)));
    expect(unitKills).toEqual([]);

    // Leftovers are looked for, and the pod's infra killed, once every unit is gone: before any late exit report arrived.
    const infraKill = recorder.calls.slice(stopsAsked).find((c) => c.path === `/containers/${infraId}/kill`);
    expect(infraKill, 'the infra is killed').toBeDefined();
    expect(recorder.eventsDelivered.length).toBeGreaterThan(0);
    expect(infraKill!.asked).toBeLessThan(recorder.eventsDelivered[0]!.at);

    await runtime.teardown(m, {removeVolumes: true});
    const left = await docker.listContainers({all: true, filters: {label: projectFilter(m)}});
    expect(left).toEqual([]);
  });
});
