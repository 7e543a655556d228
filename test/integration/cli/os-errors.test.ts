import {execFileSync} from 'node:child_process';
import {chmodSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, project, root} from './cli-harness.js';

// Issue 9.12: EACCES on the state tree was "a bug" (exit 1). Root passes every
// permission check, so the CLI runs as `nobody` in a project only root may write.
const canDropRoot = ((): boolean => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('runuser', ['-u', 'nobody', '--', 'true']);
    return true;
  } catch {
    return false;
  }
})();

beforeAll(() => ensureBuilt(), 120_000);

describe('OS errors on the state tree name the path and a fix (issue 9.12)', () => {
  it('`up` in a project the user may not write exits 2 naming .sidecar', async () => {
    if (!canDropRoot) {
      if (process.env.CI === 'true') throw new Error('CI runs as root with runuser: this test must run there');
      console.warn('skipped: needs root and runuser to run the CLI as another user');
      return;
    }
    const p = project(`version: 1
name: denied
app:
  command: [sleep, "1000"]
`);
    chmodSync(p.dir, 0o755);
    const result = await execa('runuser', ['-u', 'nobody', '--', process.execPath, path.join(root, 'bin/run.js'), 'up', '-d', '--runtime', 'process'], {reject: false, cwd: p.dir, env: {...p.env, HOME: '/tmp'}, all: true});
    expect(result.exitCode, result.all).toBe(2);
    expect(result.all).toContain(`cannot create ${path.join(p.dir, '.sidecar')}: permission denied (EACCES)`);
    expect(result.all).toContain('ls -ld');
    expect(result.all).not.toContain('this is a bug');
  });

  it('`ps` and `logs` by a user who may not read .sidecar exit 2 naming it, not "no supervisor running" / "no log lines"', async () => {
    if (!canDropRoot) {
      if (process.env.CI === 'true') throw new Error('CI runs as root with runuser: this test must run there');
      console.warn('skipped: needs root and runuser to run the CLI as another user');
      return;
    }
    const p = project(`version: 1
name: unreadable
app:
  command: [sleep, "1000"]
  stopTimeout: 1s
`);
    chmodSync(p.dir, 0o755);
    const bin = path.join(root, 'bin/run.js');
    const up = await execa(process.execPath, [bin, 'up', '-d', '--runtime', 'process'], {reject: false, cwd: p.dir, env: p.env, all: true});
    expect(up.exitCode, up.all).toBe(0);
    try {
      for (const args of [['ps'], ['logs']]) {
        const result = await execa('runuser', ['-u', 'nobody', '--', process.execPath, bin, ...args], {reject: false, cwd: p.dir, env: {...p.env, HOME: '/tmp'}, all: true});
        expect(result.exitCode, `${args.join(' ')}: ${result.all}`).toBe(2);
        expect(result.all).toContain(path.join(p.dir, '.sidecar'));
        expect(result.all).toContain('permission denied (EACCES)');
        expect(result.all).not.toMatch(/no supervisor running|no log lines|this is a bug/);
      }
    } finally {
      await execa(process.execPath, [bin, 'down'], {reject: false, cwd: p.dir, env: p.env});
    }
  });
});
