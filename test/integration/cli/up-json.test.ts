import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, freePort, project, type Project} from './cli-harness.js';

// Issue 14.5: `up --wait --json` / `up -d --json` print the stack for the next CI step.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down']);
});

describe('up --json', () => {
  it('--wait --json: services, states, endpoints and the env `run` would set, as JSON on stdout', async () => {
    const port = await freePort();
    const p = project(`version: 1
name: jsonstack
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "${port}", NAME: app, SIDECAR_TEST_MARK: "\${MARK}"}
  ports: ["${port}:${port}"]
  health: {http: {port: ${port}, path: /healthz}, interval: 100ms}
`);
    live.push(p);
    const up = await cli(p, ['up', '--wait', '--json', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({
      project: 'jsonstack',
      runtime: 'process',
      ready: true,
      services: [{name: 'app', pod: 'jsonstack', role: 'app', state: 'running', health: 'healthy', endpoints: [{containerPort: port, protocol: 'tcp', address: `127.0.0.1:${port}`}]}],
      env: {SIDECAR_PROJECT: 'jsonstack', SIDECAR_APP_HOST: '127.0.0.1', SIDECAR_APP_PORT: String(port)},
    });
    // On the stack that runs now: the same description, and what the update did.
    const again = await cli(p, ['up', '--wait', '--json']);
    expect(again.exitCode, again.all).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({project: 'jsonstack', ready: true, update: expect.any(Object)});
  });

  it('in the foreground --json is a usage error with the fix, as JSON', async () => {
    const p = project('version: 1\nname: fg\napp: {command: [node, -e, "0"]}\n');
    const up = await cli(p, ['up', '--json']);
    expect(up.exitCode).toBe(2);
    expect(JSON.parse(up.stdout).error).toMatchObject({code: 'SIDECAR_USAGE', suggestion: expect.stringContaining('up --wait --json')});
  });
});
