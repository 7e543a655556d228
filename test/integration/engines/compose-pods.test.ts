import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect, it} from 'vitest';
import {freePort} from '../../helpers/free-port.js';
import {describeDocker, TEST_IMAGES, until} from '../docker/docker-engine.js';

// Issue 10.5: what `generate compose` writes for a 2-pod manifest runs under the
// real docker-compose v1, and pod frontend reaches pod backend by its name.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function sh(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', cwd, env: {...process.env, ...env}, timeout: 180_000});
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}${result.error ? ` (${result.error.message})` : ''}`);
  return result.stdout;
}

describeDocker('generated compose of several pods on docker-compose v1', () => {
  it('brings up two pods, frontend reaches backend by its pod name after backend is ready, then down leaves nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gen-pods-'));
    const name = `gen-pods-${path.basename(dir).slice(9).toLowerCase()}`;
    const hostPort = await freePort();
    const manifest = path.join(dir, 'sidecar.yaml');
    const fixture = readFileSync(path.join(root, 'test/fixtures/engines/pods-stack.yaml'), 'utf8');
    writeFileSync(manifest, fixture.replace(/^name: .*$/m, `name: ${name}`).replace('HOST_PORT', String(hostPort)));
    const file = path.join(dir, 'docker-compose.yml');
    // The CLI is the contract: bin/run.js loads dist/ (`npm run build`).
    sh([process.execPath, path.join(root, 'bin/run.js'), 'generate', 'compose', '-f', manifest, '-o', file], dir, {SIDECAR_INFRA_IMAGE: TEST_IMAGES.pause});
    const compose = (...args: string[]): string => sh(['docker-compose', '-p', name, '-f', file, ...args], dir);
    try {
      compose('up', '-d');
      const logs = (service: string): string => compose('logs', '--no-color', service);
      await until('frontend reached backend by its name', () => logs('frontend-app').includes('reached-backend') || undefined, 90_000);
      expect(logs('frontend-app')).toContain('backend-says-hi');
      expect(logs('frontend-app')).toContain('first-try-ok');
      await until('the sidecar joined to frontend reached backend too', () => logs('frontend-egress').includes('sidecar-reached-backend') || undefined, 60_000);
      // The pod's published port sits on its infra service, the pod's network namespace.
      const answer = await until('backend answers on its published port', async () => {
        try {
          const response = await fetch(`http://127.0.0.1:${hostPort}/`);
          return response.ok ? await response.text() : undefined;
        } catch {
          return undefined;
        }
      }, 30_000);
      expect(answer).toContain('backend-says-hi');
      const infra = compose('ps', '-q', 'backend').trim();
      const app = compose('ps', '-q', 'backend-app').trim();
      expect(sh(['docker', 'inspect', '-f', '{{.HostConfig.NetworkMode}}', app], dir).trim()).toBe(`container:${infra}`);
    } finally {
      compose('down', '-v', '--timeout', '2');
    }
    expect(sh(['docker', 'ps', '-aq', '--filter', `label=com.docker.compose.project=${name}`], dir).trim()).toBe('');
  }, 240_000);
});
