import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {cli, project, root, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 13.1: `up` uses the kept result of the manifest's last load when nothing
// it depends on changed (src/manifest/load-cache.ts). A changed variable or text
// must reach the services all the same.
const track = trackProjects();

const manifest = (value: string) =>
  `version: 1\nname: cache-cli\napp:\n  command: [node, \${PROGRAMS}/forever.js]\n  env: {SIDECAR_TEST_MARK: "\${MARK}", VALUE: "${value}"}\n  stopTimeout: 1s\n`;

// VALUE (or NAME) in the environment of the app that `up --wait` started.
async function upValue(p: Project, env: Record<string, string>, name = 'VALUE'): Promise<string | undefined> {
  const up = await execa(path.join(root, 'bin/run.js'), ['up', '--wait', '--runtime', 'process'], {cwd: p.dir, env: {...p.env, ...env}, reject: false, all: true});
  expect(up.exitCode, up.all).toBe(0);
  const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: {name: string; pid: number}[]};
  const pid = ps.services.find((s) => s.name === 'app')!.pid;
  const value = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((entry) => entry.startsWith(`${name}=`));
  expect((await cli(p, ['down'])).exitCode).toBe(0);
  return value?.slice(name.length + 1);
}

const upValueOf = (p: Project, name: string) => upValue(p, {V: 'two'}, name);

describe('up with an unchanged manifest', () => {
  it('starts what the manifest says now: a changed variable, .env or text is read again', async () => {
    const p = track(project(manifest('${V}')));
    expect(await upValue(p, {V: 'one'})).toBe('one');
    expect(await upValue(p, {V: 'one'})).toBe('one');
    expect(readFileSync(path.join(p.dir, '.sidecar', 'load-cache.json'), 'utf8')).toContain('"V": "one"');
    expect(await upValue(p, {V: 'two'})).toBe('two');
    writeFileSync(path.join(p.dir, '.env'), 'W=from-dotenv\n');
    writeFileSync(path.join(p.dir, 'sidecar.yaml'), manifest('${V}-${W}').replaceAll('${MARK}', p.mark).replaceAll('${PROGRAMS}', path.join(root, 'test/fixtures/programs')));
    expect(await upValue(p, {V: 'two'})).toBe('two-from-dotenv');
    writeFileSync(path.join(p.dir, '.env'), 'W=changed\n');
    expect(await upValue(p, {V: 'two'})).toBe('two-changed');
    // An envFile's value (under the manifest's env, which wins): read again once it changes.
    writeFileSync(path.join(p.dir, 'app.env'), 'VALUE=ignored\nOTHER=1\n');
    const withFile = readFileSync(path.join(p.dir, 'sidecar.yaml'), 'utf8').replace('  env: {', '  envFile: [app.env]\n  env: {').replace('VALUE: "${V}-${W}"', 'VALUE: "${V}-${W}-${OTHER:-none}"');
    writeFileSync(path.join(p.dir, 'sidecar.yaml'), withFile);
    expect(await upValue(p, {V: 'two'})).toBe('two-changed-none');
    expect(await upValueOf(p, 'OTHER')).toBe('1');
    writeFileSync(path.join(p.dir, 'app.env'), 'OTHER=2\n');
    expect(await upValueOf(p, 'OTHER')).toBe('2');
    expect(survivors(p.mark)).toEqual([]);
  });
});
