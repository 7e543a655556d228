import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import type {Manifest} from '../../../src/manifest/types.js';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import {infraName} from '../../../src/runtime/docker/naming.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES} from './docker-engine.js';

// Issue 8.12: the pod published every probed port on the host, needed only
// where container addresses are unreachable (Docker Desktop, rootless).
const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  delete process.env.SIDECAR_DOCKER_PROBE_ROUTE;
});

function probed(): Manifest {
  return manifest({
    ...tempProject('scp'),
    app: service('app', 'app', {
      image: TEST_IMAGES.busybox,
      command: ['sh', '-c', 'mkdir -p /www && exec httpd -f -p 8080 -h /www'],
      health: {check: {kind: 'tcp', port: 8080}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 10_000},
    }),
  });
}

async function preparedPod(m: Manifest): Promise<{runtime: DockerRuntime; notices: string[]; bindings: Record<string, unknown>}> {
  const runtime = new DockerRuntime();
  const notices: string[] = [];
  cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
  await runtime.prepare(m, {log: () => {}, notice: (message) => notices.push(message)});
  const info = await docker.getContainer(infraName(m, m.pods[0]!.name)).inspect();
  return {runtime, notices, bindings: info.HostConfig.PortBindings ?? {}};
}

describeDocker('probe ports are published only where they must be', () => {
  it('publishes nothing for probes when the container address is reachable, and probes it directly', async () => {
    const m = probed();
    const {runtime, notices, bindings} = await preparedPod(m);
    expect(bindings).toEqual({});
    expect(notices).toEqual([]);
    const endpoint = await runtime.endpoint(m.pods[0]!.app, 8080);
    expect(endpoint.port).toBe(8080);
    expect(endpoint.host).not.toBe('127.0.0.1');
  });

  it('publishes probe ports on loopback where container addresses are unreachable, and says why', async () => {
    process.env.SIDECAR_DOCKER_PROBE_ROUTE = 'published';
    const m = probed();
    const {runtime, notices, bindings} = await preparedPod(m);
    expect(bindings).toMatchObject({'8080/tcp': [{HostIp: '127.0.0.1'}]});
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/published probe port 8080 on 127\.0\.0\.1.*SIDECAR_DOCKER_PROBE_ROUTE=published/);
    expect((await runtime.endpoint(m.pods[0]!.app, 8080)).host).toBe('127.0.0.1');
  });
});
