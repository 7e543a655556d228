import {execFileSync} from 'node:child_process';
import {chmodSync, chownSync, readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, project, root, survivors, trackProjects} from './cli-harness.js';

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
const track = trackProjects();

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

  // Found by a new user's trial: .sidecar/ made read-only under a running stack.
  // `down` stopped the stack but exited 2 on the lock's file named after its pid,
  // and the supervisor crashed in its exit handler with a trace in supervisor.log.
  it('`down` with .sidecar/ made read-only under a running stack says it stopped it, and what was left; the supervisor ends cleanly', async () => {
    if (!canDropRoot) {
      if (process.env.CI === 'true') throw new Error('CI runs as root with runuser: this test must run there');
      console.warn('skipped: needs root and runuser to run the CLI as another user');
      return;
    }
    const p = track(project(`version: 1
name: readonly
app:
  command: [sleep, "1000"]
  stopTimeout: 1s
`));
    const uid = Number(execFileSync('id', ['-u', 'nobody'], {encoding: 'utf8'}));
    const gid = Number(execFileSync('id', ['-g', 'nobody'], {encoding: 'utf8'}));
    chmodSync(p.dir, 0o755);
    chownSync(p.dir, uid, gid);
    for (const entry of readdirSync(p.dir)) chownSync(path.join(p.dir, entry), uid, gid);
    const bin = path.join(root, 'bin/run.js');
    const asNobody = (args: string[]) => execa('runuser', ['-u', 'nobody', '--', bin, ...args], {reject: false, cwd: p.dir, env: {...p.env, HOME: '/tmp'}, all: true});
    const up = await asNobody(['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const state = path.join(p.dir, '.sidecar');
    chmodSync(state, 0o500);
    try {
      const down = await asNobody(['down']);
      expect(down.exitCode, down.all).toBe(0);
      expect(down.stdout).toBe('stopped readonly');
      expect(down.stderr).toContain('.sidecar/ could not be written (EACCES)');
      expect(down.stderr).toContain('chmod u+w .sidecar');
      expect(survivors(p.mark)).toEqual([]);
      const log = readFileSync(path.join(state, 'supervisor.log'), 'utf8');
      expect(log).not.toMatch(/^\s+at /m);
      // A new `up` there names the directory to fix, not a file named after its pid.
      const again = await asNobody(['up', '-d', '--runtime', 'process']);
      expect(again.exitCode, again.all).toBe(2);
      expect(again.all).toContain(`cannot create a file in ${state}: permission denied (EACCES)`);
      expect(again.all).not.toContain('lock.');
    } finally {
      chmodSync(state, 0o700);
    }
    // Writable again: `down` removes what was left.
    const clean = await asNobody(['down']);
    expect(clean.exitCode, clean.all).toBe(0);
    expect(readdirSync(state).filter((name) => /^(lock|supervisor\.json|state\.json|control\.sock)$/.test(name))).toEqual([]);
  });
});
