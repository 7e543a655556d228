import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli} from '../cli/cli-harness.js';
import {describeDocker} from './docker-engine.js';
import {nativeSidecarPod, type NativeSidecarPod} from './native-sidecar-pod.js';

// Issue 12.5: a Pod YAML as it is (init job, two native sidecars, the first
// gated by a startupProbe that passes only after a delay, a ConfigMap as env and
// as a volume, an emptyDir shared by app and sidecars, a Service) under
// `sidecar up -f pod.yaml` on Docker: start order, readiness gating, shared
// files, the published port, and a teardown that leaves nothing.
const docker = new Docker();
let pod: NativeSidecarPod;

describeDocker('Kubernetes YAML under sidecar up on Docker', () => {
  beforeAll(async () => {
    pod = await nativeSidecarPod();
  }, 120_000);
  afterAll(async () => {
    if (pod) await cli(pod.p, ['down', '-f', 'pod.yaml', '--volumes', '--timeout', '1s']);
  });

  it('starts init, native sidecars in order behind the startupProbe, then the app; shares files; publishes the Service; down leaves nothing, the emptyDir included', async () => {
    const {p, port, name, get} = pod;
    const up = await cli(p, ['up', '--wait', '-f', 'pod.yaml', '--runtime', 'docker', '--timeout', '150s']);
    expect(up.exitCode, up.all).toBe(0);
    // Every field of this file carries over (its probes run as the kubelet runs them), so no loss is listed.
    expect(up.stderr, up.stderr).not.toContain('not carried over');

    // Order: the init job, then `slow` (ready only after its delay), then `writer`, then the app.
    expect((await get('order.log')).split('\n')).toEqual(['prepare', 'slow-start', 'slow-ready', 'writer-start', 'app-start']);
    // The emptyDir is one volume for the sidecar and the app; ConfigMap env and files; the mount is read-only.
    expect(await get('from-sidecar.txt')).toBe('from-sidecar');
    expect(await get('env.txt')).toBe('hello-from-configmap web');
    expect(await get('page.html')).toBe('<h1>configured</h1>');
    expect(await get('config-mount.txt')).toBe('read-only');

    const ps = await cli(p, ['ps', '-f', 'pod.yaml', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    const services = (JSON.parse(ps.stdout) as {services: {name: string; role: string; state: string; health: string; ports: unknown[]}[]}).services;
    expect(services.map((s) => [s.name, s.role, s.state, s.health])).toEqual([
      ['web/prepare', 'init', 'exited', 'none'],
      ['web/slow', 'sidecar', 'running', 'healthy'],
      ['web/writer', 'sidecar', 'running', 'healthy'],
      ['web/app', 'app', 'running', 'healthy'],
    ]);

    // `up` on the running stack with a changed ConfigMap: the running app's mount shows
    // the new content, as a kubelet updates a mounted ConfigMap, and nothing is recreated.
    const file = path.join(p.dir, 'pod.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('<h1>configured</h1>', '<h1>reconfigured</h1>'));
    const again = await cli(p, ['up', '-f', 'pod.yaml']);
    expect(again.exitCode, again.all).toBe(0);
    const seen = await cli(p, ['exec', '-f', 'pod.yaml', 'web/app', '--', 'cat', '/config/page.html']);
    expect(seen.stdout.trim(), seen.all).toBe('<h1>reconfigured</h1>');

    const down = await cli(p, ['down', '-f', 'pod.yaml', '--timeout', '5s']);
    expect(down.exitCode, down.all).toBe(0);
    const left = await docker.listContainers({all: true, filters: {label: [`sidecar.project=${name}`]}});
    expect(left.map((c) => c.Names)).toEqual([]);
    const networks = await docker.listNetworks({filters: {label: [`sidecar.project=${name}`]}});
    expect(networks.map((n) => n.Name)).toEqual([]);
    // The emptyDir goes with the pod, as in Kubernetes, without `--volumes`.
    const volumes = (await docker.listVolumes({filters: {label: [`sidecar.project=${name}`]}})).Volumes ?? [];
    expect(volumes.map((v) => v.Name)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/order.log`)).rejects.toThrow();
  }, 240_000);
});
