import {execFileSync} from 'node:child_process';
import {copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {describeDocker, TEST_IMAGES, tempProject} from '../docker/docker-engine.js';
import {freePort, freePorts} from '../../helpers/free-port.js';
import {sidecar} from './run-cli.js';

// Issue 8 point 4: `sidecar init` then `sidecar up --wait` with an engine
// present (auto picks Docker) must get ready. The probes reach the pod's
// address, so every server in a template's image listens on 0.0.0.0 there.
// NODE_IMAGE points the templates' Dockerfiles at the local node image (no registry here).
const CHECK = fileURLToPath(new URL('./fixtures/combos/check.js', import.meta.url));

describeDocker('init then up --wait under the Docker runtime', () => {
  let dir: string;
  let name: string;
  const env = (): Record<string, string> => ({NODE_IMAGE: TEST_IMAGES.node, SIDECAR_INFRA_IMAGE: TEST_IMAGES.pause, JWT_SECRET: 'docker-secret-0123456789abcdef0123456789'});
  beforeAll(() => {
    ({dir, name} = tempProject('sct-init'));
  });
  afterAll(async () => {
    await sidecar(['down', '--volumes'], dir, env());
    await sidecar(['down', '--volumes'], path.join(dir, 'combo'), env());
    const images = execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${name}*`], {encoding: 'utf8'}).split('\n').filter(Boolean);
    if (images.length > 0) execFileSync('docker', ['image', 'rm', '-f', ...images], {stdio: 'ignore'});
    rmSync(dir, {recursive: true, force: true});
  });

  it('the project template is ready and answers through its published port', async () => {
    const created = await sidecar(['init', '--name', name], dir);
    expect(created.exitCode, created.stderr).toBe(0);
    // Host ports only: another test may hold 8000 on this machine.
    const hostPort = await freePort();
    const manifest = path.join(dir, 'sidecar.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"8000:8000"', `"${hostPort}:8000"`));

    const up = await sidecar(['up', '--wait', '--timeout', '120s'], dir, env());
    expect(up.exitCode, `${up.stdout}\n${up.stderr}`).toBe(0);
    const ps = await sidecar(['ps', '--json'], dir, env());
    const status = JSON.parse(ps.stdout) as {runtime: string; services: {name: string; health: string}[]};
    expect(status.runtime).toBe('docker');
    expect(status.services.map((service) => [service.name, service.health]).sort()).toEqual([['app', 'healthy'], ['proxy', 'healthy']]);
    const answer = await fetch(`http://127.0.0.1:${hostPort}/`);
    expect(await answer.json()).toEqual({hello: name, path: '/'});
    const down = await sidecar(['down'], dir, env());
    expect(down.exitCode, down.stderr).toBe(0);
  }, 240_000);

  // Every sidecar template's image, wired by init, under the same checks as the process runtime's.
  it('the project with all five sidecars runs its checks under Docker', async () => {
    const combo = path.join(dir, 'combo');
    mkdirSync(combo);
    const all = ['auth-proxy', 'log-shipper', 'metrics-exporter', 'config-reloader', 'http-proxy'];
    const created = await sidecar(['init', '--name', `${name}-all`, ...all.flatMap((template) => ['--template', template])], combo);
    expect(created.exitCode, created.stderr).toBe(0);
    const manifest = path.join(combo, 'sidecar.yaml');
    let text = readFileSync(manifest, 'utf8');
    const hostPorts = await freePorts(2);
    for (const [i, port] of [15001, 9464].entries()) text = text.replace(`"${port}:${port}"`, `"${hostPorts[i]!}:${port}"`);
    writeFileSync(manifest, text);
    copyFileSync(CHECK, path.join(combo, 'check.mjs'));
    const result = await sidecar(['run', '--timeout', '150s', '--', 'node', 'check.mjs'], combo, {...env(), CHECK_SIDECARS: all.join(',')}, 280_000);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('ok:');
  }, 300_000);
});
