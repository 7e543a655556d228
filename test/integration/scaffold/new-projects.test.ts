import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {run, sidecar} from './run-cli.js';

const SIDECAR_TEMPLATES = ['auth-proxy', 'config-reloader', 'http-proxy', 'log-shipper', 'metrics-exporter'];

// `sidecar new` must hand over a project whose own tests pass as generated
// (the templates have no dependencies, so npm install works offline).
describe('sidecar new <template>', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sidecar-new-it-'));
  });
  afterAll(() => rmSync(tmp, {recursive: true, force: true}));

  it.each(SIDECAR_TEMPLATES)('%s: the generated project installs and its tests pass', async (template) => {
    const dir = path.join(tmp, template, 'x');
    const created = await sidecar(['new', template, dir], tmp);
    expect(created.exitCode, created.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {name: string; scripts: Record<string, string>};
    expect(pkg.name).toBe('x');
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toMatch(/^FROM /m);
    const npmEnv = {npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false'};
    const install = await run('npm', ['install', '--offline', '--no-package-lock'], dir, npmEnv);
    expect(install.exitCode, install.stderr).toBe(0);
    const test = await run('npm', ['test'], dir, npmEnv);
    expect(test.exitCode, `${test.stdout}\n${test.stderr}`).toBe(0);
  }, 180_000);
});
