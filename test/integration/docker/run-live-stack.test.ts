import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, freePort, project, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 8.2 under the Docker runtime: `run` against a stack that `up --wait`
// started uses it (CMD reaches its published port) and leaves every container
// of it running; before, it tore the pod down under its supervisor.
let p: Project;

describeDocker('run against a running Docker stack', () => {
  beforeAll(async () => {
    ensureBuilt();
    const port = await freePort();
    p = project(`version: 1
name: runlive-${Date.now().toString(36)}
app:
  image: ${TEST_IMAGES.busybox}
  command: [httpd, -f, -p, "8080"]
  ports: ["127.0.0.1:${port}:8080"]
  health: {tcp: {port: 8080}, startTimeout: 30s}
  stopTimeout: 1s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  });
  afterAll(async () => {
    if (p) await cli(p, ['down']);
  });

  it('CMD gets the published endpoint, and the same container keeps running afterwards', async () => {
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const before = JSON.parse((await cli(p, ['ps', '--json'])).stdout);
    const containerId = before.services[0].containerId as string;
    expect(containerId).toBeTruthy();

    const connect = `require('net').connect(Number(process.env.SIDECAR_APP_PORT), process.env.SIDECAR_APP_HOST).on('connect', () => { console.log('CONNECTED'); process.exit(7); }).on('error', (e) => { console.log(e.message); process.exit(1); })`;
    const run = await cli(p, ['run', '--runtime', 'docker', '--', 'node', '-e', connect]);
    expect(run.exitCode, run.all).toBe(7);
    expect(run.stdout).toContain('CONNECTED');
    expect(run.stderr).toMatch(/using the running stack .* left running/);

    const after = JSON.parse((await cli(p, ['ps', '--json'])).stdout);
    expect(after.supervisor.pid).toBe(before.supervisor.pid);
    expect(after.services[0]).toMatchObject({state: 'running', containerId, restarts: 0});
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
  });
});
