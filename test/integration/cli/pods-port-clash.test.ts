import {existsSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, freePort, programs, project, survivors, trackProjects} from './cli-harness.js';

const track = trackProjects();

// Issue 10.3: under the process runtime every pod shares the host's loopback,
// so a port two pods use is exit 3 before anything starts, naming both places;
// also when `up` converges a running stack onto a changed manifest.
function manifest(webPort: number, apiPort: number): string {
  return `version: 1
name: clash
pods:
  web:
    app:
      command: [node, \${PROGRAMS}/http-server.js]
      env: {PORT: "${webPort}", SIDECAR_TEST_MARK: "\${MARK}"}
      health: {http: {port: ${webPort}, path: /healthz}}
      stopTimeout: 1s
  api:
    app:
      command: [node, \${PROGRAMS}/http-server.js]
      env: {PORT: "${apiPort}", SIDECAR_TEST_MARK: "\${MARK}"}
      health: {http: {port: ${apiPort}, path: /healthz}}
      stopTimeout: 1s
`;
}

describe('process runtime: a port used by two pods (CLI)', () => {
  it('up refuses before anything starts: exit 3, both places, nothing running', async () => {
    const port = await freePort();
    const p = track(project(manifest(port, port)));
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(3);
    expect(up.stderr).toContain('Error SIDECAR_MANIFEST_INVALID: invalid manifest (1 problem)');
    expect(up.stderr).toContain(`  sidecar.yaml:14:29 pods.api.app.health.http.port\n    port ${port}/tcp is used by two pods: api/app is probed on it, and web/app is probed on it at sidecar.yaml:8:29 pods.web.app.health.http.port`);
    expect(up.stderr).toMatch(/fix: under the process runtime every pod shares the host's loopback/);
    expect(up.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(existsSync(path.join(p.dir, '.sidecar/supervisor.json'))).toBe(false);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('up on a running stack refuses a manifest changed to clash, and the stack keeps running', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const p = track(project(manifest(a, b)));
    const first = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(first.exitCode, first.all).toBe(0);
    writeFileSync(path.join(p.dir, 'sidecar.yaml'), manifest(a, a).replaceAll('${MARK}', p.mark).replaceAll('${PROGRAMS}', programs));
    const again = await cli(p, ['up', '--wait']);
    expect(again.exitCode, again.all).toBe(3);
    expect(again.stderr).toContain(`port ${a}/tcp is used by two pods: api/app is probed on it, and web/app is probed on it at sidecar.yaml:8:29`);
    const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: {name: string; state: string}[]};
    expect(ps.services.map((s) => [s.name, s.state])).toEqual([['web/app', 'running'], ['api/app', 'running']]);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });
});
