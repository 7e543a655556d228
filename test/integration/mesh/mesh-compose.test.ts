import {afterAll, beforeAll, expect, it} from 'vitest';
import {parse} from 'yaml';
import {ensureBuilt} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES, until} from '../docker/docker-engine.js';
import {meshCopy, meshPorts, removeImages, sh, sidecarCli, type MeshCopy} from './mesh-stack.js';
import path from 'node:path';

// Issue 10 points 5 and 8: `sidecar generate compose` of examples/mesh runs
// under real docker-compose v1, and the pods resolve each other by name: the
// orders pod's egress proxy reaches `payments`, the payments pod's infra service.
let mesh: MeshCopy | undefined;
let compose: ((...args: string[]) => ReturnType<typeof sh>) | undefined;

describeDocker('generated compose of examples/mesh on docker-compose v1', () => {
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => {
    if (compose) compose('down', '-v', '--timeout', '2');
    if (mesh) removeImages(mesh.name);
  });

  it('runs the shop: payments resolves by name from the orders pod, and the smoke passes through both proxies', async () => {
    mesh = meshCopy();
    const ports = await meshPorts();
    const out = path.join(mesh.dir, 'docker-compose.yml');
    const generated = await sidecarCli(mesh, ['generate', 'compose', '-o', out], {...ports, NODE_IMAGE: TEST_IMAGES.node, SIDECAR_INFRA_IMAGE: TEST_IMAGES.pause});
    expect(generated.exitCode, generated.all).toBe(0);
    const file = parse(sh(['cat', out]).stdout, {version: '1.1'}) as {services: Record<string, {environment?: Record<string, string>; network_mode?: string}>};
    // One infra service per pod, named after it (its DNS name), and POD-SERVICE services joined to it.
    expect(Object.keys(file.services)).toEqual(expect.arrayContaining(['orders', 'payments', 'orders-app', 'orders-egress', 'payments-app', 'payments-ingress', 'payments-metrics']));
    expect(file.services['orders-egress']!.environment!.UPSTREAMS).toBe(`payments:${ports.INGRESS_PORT}`);
    expect(file.services['orders-egress']!.network_mode).toBe('service:orders');

    const project = mesh.name;
    compose = (...args: string[]) => sh(['docker-compose', '-p', project, '-f', out, ...args], {cwd: mesh!.dir});
    const up = compose('up', '-d');
    expect(up.status, up.stderr).toBe(0);

    // Name resolution from inside the orders pod, against the payments pod's own address.
    const paymentsIp = sh(['docker', 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', compose('ps', '-q', 'payments').stdout.trim()]).stdout.trim();
    expect(paymentsIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const lookup = compose('exec', '-T', 'orders-egress', 'node', '-e', "require('dns').lookup('payments', {family: 4}, (e, a) => { console.log(e ? e.code : a); process.exit(e ? 1 : 0); })");
    expect(lookup.stdout.trim(), lookup.stderr).toBe(paymentsIp);

    // compose's `up -d` does not wait for the last app's readiness: the smoke retries until it passes.
    let last = {status: -1 as number | null, stdout: '', stderr: ''};
    await until('the smoke to pass against the compose stack', () => {
      last = sh([process.execPath, path.join(mesh!.dir, 'smoke.js')], {env: ports, timeoutMs: 60_000});
      return last.status === 0 || undefined;
    }, 120_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${last.stdout}${last.stderr}\n${compose!('logs', '--no-color', '--tail', '30').stdout}`);
    });
    expect(last.stdout).toContain(`via 2 proxies (X-Forwarded-For: 127.0.0.1, `);
    expect(last.stdout).toContain('smoke: OK');

    const down = compose('down', '-v', '--timeout', '2');
    expect(down.status, down.stderr).toBe(0);
    compose = undefined;
    expect(sh(['docker', 'ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]).stdout.trim()).toBe('');
  }, 600_000);
});
