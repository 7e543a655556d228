import {spawnSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {expect, it} from 'vitest';
import {generate} from '../../../src/generate/generate.js';
import type {Health} from '../../../src/manifest/types.js';
import {freePort} from '../../helpers/free-port.js';
import {podsManifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, TEST_IMAGES, until} from '../docker/docker-engine.js';

// Issue 10.5: the generated compose file of a 2-pod stack runs under the real
// docker-compose v1, and pod `frontend` reaches pod `backend` by its name.
function sh(argv: string[], cwd: string): string {
  const result = spawnSync(argv[0]!, argv.slice(1), {encoding: 'utf8', cwd, timeout: 180_000});
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}${result.error ? ` (${result.error.message})` : ''}`);
  return result.stdout;
}

const http = (port: number): Health => ({check: {kind: 'http', port, path: '/', scheme: 'http', headers: {}}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000});
const busybox = TEST_IMAGES.busybox;

describeDocker('generated compose of several pods on docker-compose v1', () => {
  it('brings up two pods, frontend reaches backend by its pod name after backend is ready, then down leaves nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gen-pods-'));
    const name = `gen-pods-${path.basename(dir).slice(9).toLowerCase()}`;
    const hostPort = await freePort();
    const manifest = podsManifest({
      name,
      dir,
      pods: [
        {
          name: 'frontend',
          after: ['backend'],
          app: service('app', 'app', {
            image: busybox,
            // The first call must answer: `after` held this pod until backend was healthy.
            command: ['sh', '-c', 'if wget -qO- http://${pods.backend.host}:8080/; then echo first-try-ok; fi; until wget -qO- http://${pods.backend.host}:8080/ > /dev/null; do sleep 0.5; done; echo reached-backend; trap "exit 0" TERM; while :; do sleep 1; done'],
          }),
          sidecars: [service('egress', 'sidecar', {image: busybox, env: {UPSTREAM: '${pods.backend.host}'}, command: ['sh', '-c', 'until wget -qO- "http://$UPSTREAM:8080/" > /dev/null; do sleep 0.5; done; echo sidecar-reached-$UPSTREAM; trap "exit 0" TERM; while :; do sleep 1; done']})],
        },
        {
          name: 'backend',
          app: service('app', 'app', {
            image: busybox,
            command: ['sh', '-c', 'mkdir -p /www && echo backend-says-hi > /www/index.html && exec httpd -f -p 8080 -h /www'],
            ports: [{hostIp: '127.0.0.1', hostPort, containerPort: 8080, protocol: 'tcp'}],
            health: http(8080),
          }),
        },
      ],
    });
    const file = path.join(dir, 'docker-compose.yml');
    writeFileSync(file, generate(manifest, 'compose', {infraImage: TEST_IMAGES.pause}).yaml);
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
