import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import type {Health, Manifest} from '../../../src/manifest/types.js';
import {DockerRuntime, Label} from '../../../src/runtime/docker/index.js';
import {infraName} from '../../../src/runtime/docker/naming.js';
import {Stack} from '../../../src/supervisor/stack.js';
import type {LifecycleEvent} from '../../../src/supervisor/types.js';
import {podsManifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES, until} from './docker-engine.js';

// Issue 10 point 4 with the real Stack: `docker rm -f` of ONE pod's infra is a
// sandbox failure of that pod only (Kubernetes: the kubelet recreates that
// pod's sandbox; other pods never notice). The new infra has the same name and
// alias, so the other pod reaches it by name again.
const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tcp8080: Health = {check: {kind: 'tcp', port: 8080}, intervalMs: 500, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 30_000};
const web = (text: string) =>
  service('app', 'app', {image: TEST_IMAGES.busybox, command: ['sh', '-c', `mkdir -p /www && echo ${text} > /www/i && exec httpd -f -p 8080 -h /www`], health: tcp8080, stopTimeoutMs: 1000});

describeDocker('pods on Docker: one pod loses its infra', () => {
  it('recreates only that pod under the same name and alias; the other pod keeps its containers and reaches it by name again', async () => {
    const m: Manifest = podsManifest({
      ...tempProject('scl'),
      pods: [
        {name: 'b', app: web('from-b')},
        {name: 'a', after: ['b'], app: web('from-a'), sidecars: [service('client', 'sidecar', {image: TEST_IMAGES.busybox, command: ['sleep', '1000'], stopTimeoutMs: 1000})]},
      ],
    });
    const runtime = new DockerRuntime();
    const stack = new Stack({manifest: m, runtime});
    cleanups.push(async () => {
      await stack.stop({timeoutMs: 2000});
      await runtime.teardown(m, {removeVolumes: true});
    });
    const events: LifecycleEvent[] = [];
    stack.on('event', (event) => events.push(event));
    await stack.start();
    const viaName = () => runtime.exec(m.pods[1]!.sidecars[0]!, ['wget', '-qO-', 'http://b:8080/i'], {timeoutMs: 10_000});
    const first = await viaName();
    expect(first.stdout, `exit ${first.exitCode}: ${first.stderr}`).toBe('from-b\n');
    const before = Object.fromEntries(stack.status().map((s) => [s.name, s.containerId]));
    const infraA = (await docker.getContainer(infraName(m, 'a')).inspect()).Id;
    const oldB = (await docker.getContainer(infraName(m, 'b')).inspect()).Id;

    await docker.getContainer(oldB).remove({force: true});

    const newB = await until('a new infra for pod b runs', async () => {
      const info = await docker.getContainer(infraName(m, 'b')).inspect().catch(() => undefined);
      return info && info.Id !== oldB && info.State.Running ? info : undefined;
    }, 30_000);
    expect(newB.NetworkSettings.Networks[`${m.name}_${newB.Config.Labels[Label.projectDir]}`]?.Aliases).toContain('b');
    await until('b/app runs again, healthy, in the new pod', () => {
      const b = stack.status().find((s) => s.name === 'b/app')!;
      return (b.state === 'running' && b.health === 'healthy' && b.containerId !== before['b/app']) || undefined;
    }, 60_000);
    const reached = await until('a reaches the recreated b by name', async () => {
      const r = await viaName();
      return r.exitCode === 0 ? r.stdout : undefined;
    }, 30_000);
    expect(reached).toBe('from-b\n');
    // Pod a never noticed: same infra, same containers, no restarts, no stop.
    expect((await docker.getContainer(infraName(m, 'a')).inspect()).Id).toBe(infraA);
    for (const s of stack.status().filter((x) => x.pod === 'a')) expect(s, s.name).toMatchObject({state: 'running', restarts: 0, containerId: before[s.name]});
    expect(events.some((e) => e.service.startsWith('a/') && e.type === 'state' && e.to === 'stopping')).toBe(false);
  }, 180_000);
});
