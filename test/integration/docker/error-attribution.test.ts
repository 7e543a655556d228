import net from 'node:net';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 8.8: an infra-image pull failure and a port-bind failure of one service
// were both reported as the first sidecar's, with "see `sidecar logs proxy`"
// pointing at empty logs. Each error names what failed, with the engine's words.
const stack = (name: string, port: number): string => `version: 1
name: ${name}
sidecars:
  proxy:
    image: ${TEST_IMAGES.busybox}
    command: [sleep, "1000"]
    stopTimeout: 1s
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  ports: ["${port}:8080"]
  stopTimeout: 1s
`;

let holder: net.Server;
let held: number;

describeDocker('Docker start failures name what failed', () => {
  beforeAll(async () => {
    ensureBuilt();
    holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    held = (holder.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('an infra image that cannot be pulled is the pod\'s failure, with the engine\'s message', async () => {
    const p = project(stack('attr-infra', 0).replace(/ {2}ports: .*\n/, ''));
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: 'sidecar-test/no-such-pause:1'};
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(5);
    expect(up.stderr).toMatch(/pod.*sidecar-test\/no-such-pause:1.*failed: .+/);
    expect(up.stderr).toContain('SIDECAR_INFRA_IMAGE');
    expect(up.stderr).not.toMatch(/"proxy"|logs proxy/);
    await cli(p, ['down']);
  });

  it('a missing external volume is the pod\'s failure, with the command that creates it', async () => {
    const p = project(`${stack('attr-vol', 0).replace(/ {2}ports: .*\n/, '  volumes: ["gone:/data"]\n')}volumes:\n  gone: {external: true}\n`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(5);
    expect(up.stderr).toMatch(/external volume \S*gone does not exist/);
    expect(up.stderr).toContain('docker volume create');
    expect(up.stderr).not.toMatch(/"proxy"|logs proxy/);
    await cli(p, ['down']);
  });

  it('a host port already taken is the failure of the service that publishes it, with the engine\'s message', async () => {
    const p = project(stack('attr-port', held));
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(5);
    expect(up.stderr).toMatch(new RegExp(`app.*port ${held}`));
    expect(up.stderr).toMatch(/already allocated|address already in use/);
    expect(up.stderr).not.toMatch(/"proxy"|logs proxy/);
    await cli(p, ['down']);
  });
});
