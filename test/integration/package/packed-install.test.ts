import {cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, root} from '../cli/cli-harness.js';

// Issue 14.1: what a user gets from the registry is the packed tarball, not this
// checkout. Pack it, install it into an empty directory (dependencies come from
// the registry or npm's cache, as for a user), and use only what it installed.
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {name: string; version: string};
let work: string;
let bin: string;

const run = (args: string[], cwd: string, extra: Record<string, string> = {}) =>
  execa(bin, args, {cwd, reject: false, all: true, timeout: 120_000, env: {...process.env, FORCE_COLOR: '0', ...extra}});

beforeAll(async () => {
  ensureBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'sidecar-packed-'));
  // The build is current (ensureBuilt); prepack would build again.
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], {cwd: root});
  const tarball = path.join(work, packed.stdout.trim().split('\n').at(-1)!);
  const install = await execa('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev', tarball], {cwd: work, reject: false, all: true, env: {...process.env, npm_config_yes: 'true'}});
  if (install.exitCode !== 0) throw new Error(`npm install of ${tarball} failed:\n${install.all}`);
  bin = path.join(work, 'node_modules/.bin/sidecar');
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, {recursive: true, force: true});
});

describe(`the packed package (${pkg.name}) installed into an empty directory`, () => {
  it('ships only what a user needs: no tests, no sources, no examples', () => {
    const installed = path.join(work, 'node_modules', pkg.name);
    expect(readdirSync(installed).sort()).toEqual(expect.arrayContaining(['bin', 'dist', 'package.json', 'schema', 'templates']));
    for (const absent of ['test', 'src', 'examples', 'bench', '.ci']) expect(existsSync(path.join(installed, absent)), absent).toBe(false);
  });

  it('answers --version and help under the bin name `sidecar`, and through npx', async () => {
    const version = await run(['--version'], work);
    expect(version.exitCode, version.all).toBe(0);
    expect(version.stdout).toBe(`${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}`);
    const npx = await execa('npx', ['--no-install', pkg.name, '--version'], {cwd: work, reject: false, all: true});
    expect(npx.exitCode, npx.all).toBe(0);
    expect(npx.stdout).toBe(version.stdout);
    const help = await run(['help', 'up'], work);
    expect(help.exitCode, help.all).toBe(0);
    expect(help.stdout).toContain('sidecar up');
  });

  it('validates, brings up and tears down the quickstart with the process runtime', async () => {
    const project = path.join(work, 'quickstart');
    cpSync(path.join(root, 'examples/quickstart'), project, {recursive: true, filter: (src) => !src.includes(`${path.sep}.sidecar`)});
    const ports = {APP_PORT: '28181', PROXY_PORT: '28180', TAILER_PORT: '28190'};
    const valid = await run(['validate'], project, ports);
    expect(valid.exitCode, valid.all).toBe(0);
    expect(valid.stdout).toContain('is valid: project quickstart, 3 services');
    // Test runners set NODE_ENV=test: oclif must not go looking for TypeScript sources then.
    const underTest = await run(['validate'], project, {...ports, NODE_ENV: 'test'});
    expect(underTest.exitCode, underTest.all).toBe(0);
    expect(underTest.stderr).toBe('');
    const up = await run(['up', '--wait', '--runtime', 'process'], project, ports);
    expect(up.exitCode, up.all).toBe(0);
    try {
      const response = await fetch(`http://127.0.0.1:${ports.PROXY_PORT}/`);
      expect(response.status).toBe(200);
      const ps = await run(['ps', '--json'], project, ports);
      expect(ps.exitCode, ps.all).toBe(0);
      const services = (JSON.parse(ps.stdout) as {services: {name: string; state: string}[]}).services;
      expect(services.map((s) => [s.name, s.state])).toEqual([['proxy', 'running'], ['tailer', 'running'], ['app', 'running']]);
    } finally {
      const down = await run(['down'], project, ports);
      expect(down.exitCode, down.all).toBe(0);
    }
    const after = await run(['ps', '--json'], project, ports);
    expect(JSON.parse(after.stdout).services.every((s: {state: string}) => s.state !== 'running')).toBe(true);
  });

  it('scaffolds from the templates it ships: new and init', async () => {
    const created = await run(['new', 'http-proxy', 'edge-proxy'], work);
    expect(created.exitCode, created.all).toBe(0);
    expect(existsSync(path.join(work, 'edge-proxy/package.json'))).toBe(true);
    expect(existsSync(path.join(work, 'edge-proxy/src/main.js'))).toBe(true);
    const project = path.join(work, 'fresh');
    const init = await run(['init', project, '-t', 'http-proxy'], work);
    expect(init.exitCode, init.all).toBe(0);
    const valid = await run(['validate'], project);
    expect(valid.exitCode, valid.all).toBe(0);
  });
});
