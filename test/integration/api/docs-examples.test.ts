import {mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, root} from '../cli/cli-harness.js';

// Issue 14.2: docs/api.md's examples run as they are written. Every code block
// whose first line is `# file: NAME` or `// file: NAME` becomes that file of a
// fresh project in which `sidecar-pod` resolves to this package (as after
// `npm i sidecar-pod`); then the commands the doc gives run there.
let dir: string;

function writeDocFiles(): string[] {
  const doc = readFileSync(path.join(root, 'docs/api.md'), 'utf8');
  const names: string[] = [];
  for (const match of doc.matchAll(/```\w*\n(?:#|\/\/) file: (\S+)\n([\s\S]*?)```/g)) {
    writeFileSync(path.join(dir, match[1]!), match[2]!);
    names.push(match[1]!);
  }
  return names;
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-api-docs-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(root, path.join(dir, 'node_modules/sidecar-pod'));
  symlinkSync(path.join(root, 'node_modules/vitest'), path.join(dir, 'node_modules/vitest'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({name: 'api-docs', type: 'module', private: true}));
}, 120_000);

describe('docs/api.md examples, run verbatim', () => {
  it('has the files it shows', () => {
    expect(writeDocFiles()).toEqual(['sidecar.yaml', 'server.js', 'proxy.js', 'vitest.config.js', 'global-setup.js', 'greeting.test.js', 'restart.test.mjs']);
  });

  it('vitest globalSetup: `npx vitest run` passes against the stack and leaves none', async () => {
    const run = await execa('npx', ['vitest', 'run', 'greeting.test.js'], {cwd: dir, reject: false, all: true, timeout: 120_000, env: {...process.env, CI: 'true', NO_COLOR: '1'}});
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/1 passed/);
    const ps = await execa(process.execPath, [path.join(root, 'bin/run.js'), 'ps', '--json'], {cwd: dir, reject: false});
    expect(JSON.parse(ps.stdout).supervisor).toBeNull();
  });

  it('node:test: `node --test restart.test.mjs` passes and leaves no stack', async () => {
    const run = await execa(process.execPath, ['--test', 'restart.test.mjs'], {cwd: dir, reject: false, all: true, timeout: 120_000});
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/# pass 1/);
    const ps = await execa(process.execPath, [path.join(root, 'bin/run.js'), 'ps', '--json'], {cwd: dir, reject: false});
    expect(JSON.parse(ps.stdout).supervisor).toBeNull();
  });
});
