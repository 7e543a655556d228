import {copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {sidecar} from './run-cli.js';
import {movePorts} from './template-ports.js';

// Issue 8.4 (process half) and 8.9: what `sidecar init` scaffolds, alone and
// with sidecar templates, runs as generated under the process runtime: one way
// in (the outermost proxy), the shipper sees the app's log lines, the exporter
// the app's metrics, the reloader's change reaches the app, the auth proxy
// guards every way in. fixtures/combos/check.js checks it from outside.
const CHECK = fileURLToPath(new URL('./fixtures/combos/check.js', import.meta.url));
const SECRET = 'combo-secret-0123456789abcdef0123456789abcdef';
const COMBOS: string[][] = [
  [],
  ['auth-proxy'],
  ['http-proxy'],
  ['log-shipper'],
  ['metrics-exporter'],
  ['config-reloader'],
  // The pairs that touch each other: a chain of two fronts, two sidecars on one shared volume.
  ['auth-proxy', 'http-proxy'],
  ['log-shipper', 'config-reloader'],
  ['auth-proxy', 'log-shipper', 'metrics-exporter', 'config-reloader', 'http-proxy'],
];

describe('init combinations under the process runtime', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sidecar-init-combos-'));
  });
  afterAll(() => rmSync(tmp, {recursive: true, force: true}));

  it.each(COMBOS.map((combo) => [combo.join('+') || 'project', combo] as const))('%s', async (_label, combo) => {
    const dir = path.join(tmp, combo.join('-') || 'project');
    mkdirSync(dir);
    const created = await sidecar(['init', '--name', 'combo', ...combo.flatMap((template) => ['--template', template])], dir);
    expect(created.exitCode, created.stderr).toBe(0);
    await movePorts(path.join(dir, 'sidecar.yaml'));
    copyFileSync(CHECK, path.join(dir, 'check.mjs'));
    const env = {JWT_SECRET: SECRET, CHECK_SIDECARS: combo.join(',')};
    expect((await sidecar(['validate'], dir, env)).exitCode).toBe(0);

    const result = await sidecar(['run', '--runtime', 'process', '--timeout', '90s', '--', 'node', 'check.mjs'], dir, env);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}\n${readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8')}`).toBe(0);
    expect(result.stdout).toContain('ok:');
  }, 180_000);

  // Issue 8.4, process half: `init` then `up --wait` gets ready, answers, and `down` stops it.
  it('init then up --wait --runtime process gets ready', async () => {
    const dir = path.join(tmp, 'up-wait');
    mkdirSync(dir);
    expect((await sidecar(['init', '--name', 'upwait'], dir)).exitCode).toBe(0);
    await movePorts(path.join(dir, 'sidecar.yaml'));
    try {
      const up = await sidecar(['up', '--wait', '--runtime', 'process', '--timeout', '90s'], dir, {}, 120_000);
      expect(up.exitCode, `${up.stdout}\n${up.stderr}`).toBe(0);
      const ps = JSON.parse((await sidecar(['ps', '--json'], dir)).stdout) as {runtime: string; services: {name: string; health: string; ports: unknown[]}[]};
      expect(ps.runtime).toBe('process');
      expect(ps.services.map((service) => [service.name, service.health]).sort()).toEqual([['app', 'healthy'], ['proxy', 'healthy']]);
      const port = /"(\d+):\1"/.exec(readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8'))![1];
      expect(await (await fetch(`http://127.0.0.1:${port}/x`)).json()).toEqual({hello: 'upwait', path: '/x'});
    } finally {
      expect((await sidecar(['down'], dir)).exitCode).toBe(0);
    }
  }, 180_000);

  // Issue 8.3: `add http-proxy --name edge` next to an http-proxy: both run, on different ports.
  it('a second http-proxy added next to the first runs beside it (free ports picked by add)', async () => {
    const dir = path.join(tmp, 'two-proxies');
    mkdirSync(dir);
    expect((await sidecar(['init', '--name', 'two', '--template', 'http-proxy'], dir)).exitCode).toBe(0);
    const added = await sidecar(['add', 'http-proxy', '--name', 'edge'], dir);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).toContain('port 15001 is taken by http-proxy: edge listens on 15002 instead');
    await movePorts(path.join(dir, 'sidecar.yaml'), [8080, 8000, 15000, 15001, 15002, 15003]);
    copyFileSync(CHECK, path.join(dir, 'check.mjs'));
    const result = await sidecar(['run', '--runtime', 'process', '--timeout', '90s', '--', 'node', 'check.mjs'], dir, {CHECK_SIDECARS: 'http-proxy', CHECK_FRONT: 'EDGE'});
    expect(result.exitCode, `${result.stdout}\n${result.stderr}\n${readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8')}`).toBe(0);
  }, 180_000);

  // Issue 8.9: init where an app already lives adopts it instead of demanding --force.
  it('adopts an app already in the directory: writes only what is missing, and the stack runs', async () => {
    const dir = path.join(tmp, 'adopted');
    mkdirSync(dir);
    const mine = {
      'package.json': '{"name": "mine", "type": "module", "scripts": {"start": "node server.js"}}\n',
      'server.js': "import http from 'node:http';\nhttp.createServer((req, res) => res.end(JSON.stringify({mine: true, path: req.url}))).listen(Number(process.env.PORT), '127.0.0.1');\nprocess.on('SIGTERM', () => process.exit(0));\n",
      'README.md': '# mine\n',
      '.gitignore': 'node_modules/\n',
    };
    for (const [file, text] of Object.entries(mine)) writeFileSync(path.join(dir, file), text);
    const created = await sidecar(['init', '--name', 'mine', '--template', 'auth-proxy'], dir);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toContain('around the app');
    for (const [file, text] of Object.entries(mine).filter(([file]) => file !== '.gitignore')) expect(readFileSync(path.join(dir, file), 'utf8')).toBe(text);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^node_modules\/\n[\s\S]*^\.sidecar\/$/m);
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', 'README.md', 'package.json', 'server.js', 'sidecar.yaml', 'sidecars']);
    expect(readdirSync(path.join(dir, 'sidecars'))).toEqual(['auth-proxy']);

    await movePorts(path.join(dir, 'sidecar.yaml'));
    copyFileSync(CHECK, path.join(dir, 'check.mjs'));
    const result = await sidecar(['run', '--runtime', 'process', '--timeout', '90s', '--', 'node', 'check.mjs'], dir, {JWT_SECRET: SECRET, CHECK_SIDECARS: 'auth-proxy'});
    expect(result.exitCode, `${result.stdout}\n${result.stderr}\n${readFileSync(path.join(dir, 'sidecar.yaml'), 'utf8')}`).toBe(0);
  }, 180_000);
});
