import {afterAll, beforeAll, expect, it} from 'vitest';
import {ensureBuilt} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from '../docker/docker-engine.js';
import {meshCopy, meshPorts, removeImages, runSmoke, sh, type MeshCopy} from './mesh-stack.js';

// Issue 10 point 7 under Docker: the same manifest, images built locally from
// the apps' Dockerfile and the templates' (NODE_IMAGE: nothing is pulled).
// Each pod is its own network namespace; the egress proxy reaches payments by
// its pod name, so payments sees the orders pod's address as the second hop.
let mesh: MeshCopy | undefined;

describeDocker('examples/mesh under the Docker runtime', () => {
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => {
    if (mesh) removeImages(mesh.name);
  });

  it('an order is paid through both proxies across the pods\' network, and nothing of the stack is left', async () => {
    mesh = meshCopy();
    const env = {...(await meshPorts()), NODE_IMAGE: TEST_IMAGES.node, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    const run = await runSmoke(mesh, 'docker', env);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain('smoke: OK');
    // First hop: the orders app on its pod's loopback; second: the orders pod's address on the project network.
    const hops = /via 2 proxies \(X-Forwarded-For: 127\.0\.0\.1, (\d+\.\d+\.\d+\.\d+)\)/.exec(run.stdout);
    expect(hops, run.stdout).not.toBeNull();
    expect(hops![1]).not.toBe('127.0.0.1');
    expect(run.stdout).toContain("payments' ingress proxy answered 3 more 200s");
    // Every container of both pods and the project's network are gone once run returns.
    expect(sh(['docker', 'ps', '-aq', '--filter', `label=sidecar.project=${mesh.name}`]).stdout.trim()).toBe('');
    expect(sh(['docker', 'network', 'ls', '-q', '--filter', `label=sidecar.project=${mesh.name}`]).stdout.trim()).toBe('');
  }, 600_000);
});
