import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, project, survivors, type Project} from '../integration/cli/cli-harness.js';

// Issue 9.7: a symlinked `.sidecar`, `.sidecar/logs/*.log` or `.sidecar/volumes` was
// followed: output appended to outside files, and `down --volumes` deleted an outside
// directory recursively. Now: refuse with exit 2 and a fix, touch nothing outside.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) {
    await cli(p, ['down', '--timeout', '1s']);
    for (const pid of survivors(p.mark)) process.kill(pid, 'SIGKILL');
  }
});

function stack(): Project {
  const p = project(`version: 1
name: links
app:
  command: [node, -e, "console.log('hello'); setInterval(() => {}, 1000)"]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  volumes: ["data:/data"]
  stopTimeout: 1s
volumes:
  data: {}
`);
  live.push(p);
  return p;
}

// A directory outside the project with something precious in it.
function outside(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-outside-'));
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'precious.txt'), 'keep me\n');
  writeFileSync(path.join(dir, 'app.log'), 'not a log of sidecar\n');
  return dir;
}

const listing = (dir: string): string[] => readdirSync(dir, {recursive: true}).map(String).sort();

describe('symlinks in the state tree are refused, nothing outside is touched (issue 9.7)', () => {
  it('a symlinked .sidecar: `up` and `down --volumes` exit 2 naming the link, the target is untouched', async () => {
    const p = stack();
    const target = outside();
    const before = listing(target);
    symlinkSync(target, path.join(p.dir, '.sidecar'));
    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(2);
    expect(up.all).toContain('remove the symlink');
    expect(up.all).toContain(path.join(p.dir, '.sidecar'));
    const down = await cli(p, ['down', '--volumes']);
    expect(down.exitCode, down.all).toBe(2);
    expect(listing(target)).toEqual(before);
    expect(readFileSync(path.join(target, 'data', 'precious.txt'), 'utf8')).toBe('keep me\n');
    expect(survivors(p.mark)).toEqual([]);
  });

  // Found by a new user's trial: `ps`, `exec` and `restart` followed a `.sidecar` linked
  // to another project's and drove that project's running stack.
  it('a .sidecar linked to another project\'s: every command that talks to a stack exits 2, the other stack is untouched', async () => {
    const other = stack();
    expect((await cli(other, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const before = JSON.parse((await cli(other, ['ps', '--json'])).stdout) as {services: {pid: number; restarts: number}[]};
    const p = project('version: 1\nname: mine\napp:\n  command: [node, -e, "setInterval(() => {}, 1000)"]\n');
    symlinkSync(path.join(other.dir, '.sidecar'), path.join(p.dir, '.sidecar'));
    for (const args of [['ps'], ['ps', '--json'], ['logs'], ['exec', 'app', '--', 'true'], ['restart', 'app'], ['events'], ['run', '--', 'true']]) {
      const result = await cli(p, args);
      expect(result.exitCode, `${args.join(' ')}: ${result.all}`).toBe(2);
      expect(result.all).toContain(`${path.join(p.dir, '.sidecar')} is a symlink`);
    }
    const after = JSON.parse((await cli(other, ['ps', '--json'])).stdout) as {services: {pid: number; restarts: number}[]};
    expect(after.services.map((s) => s.pid)).toEqual(before.services.map((s) => s.pid));
  });

  it('a symlinked .sidecar/logs/app.log: `up` exits 2 and the outside file gets no line', async () => {
    const p = stack();
    const target = outside();
    mkdirSync(path.join(p.dir, '.sidecar', 'logs'), {recursive: true});
    symlinkSync(path.join(target, 'app.log'), path.join(p.dir, '.sidecar', 'logs', 'app.log'));
    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(2);
    expect(up.all).toContain('remove the symlink');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readFileSync(path.join(target, 'app.log'), 'utf8')).toBe('not a log of sidecar\n');
    expect(survivors(p.mark)).toEqual([]);
  });

  it('a symlinked .sidecar/volumes: `up` exits 2, `down --volumes` deletes nothing outside', async () => {
    const p = stack();
    const target = outside();
    mkdirSync(path.join(p.dir, '.sidecar'));
    symlinkSync(target, path.join(p.dir, '.sidecar', 'volumes'));
    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(2);
    const down = await cli(p, ['down', '--volumes']);
    expect(down.exitCode, down.all).toBe(2);
    expect(down.all).toContain('remove the symlink');
    expect(readFileSync(path.join(target, 'data', 'precious.txt'), 'utf8')).toBe('keep me\n');
  });

  it('a volume replaced by a symlink while the stack runs: `down --volumes` refuses and deletes nothing outside', async () => {
    const p = stack();
    const target = outside();
    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const volume = path.join(p.dir, '.sidecar', 'volumes', 'data');
    expect(existsSync(volume)).toBe(true);
    (await import('node:fs')).rmSync(volume, {recursive: true});
    symlinkSync(path.join(target, 'data'), volume);
    const down = await cli(p, ['down', '--volumes']);
    expect(down.exitCode, down.all).toBe(2);
    expect(readFileSync(path.join(target, 'data', 'precious.txt'), 'utf8')).toBe('keep me\n');
    // With the link gone, `down --volumes` stops the stack and removes the (real) volume.
    (await import('node:fs')).unlinkSync(volume);
    const again = await cli(p, ['down', '--volumes']);
    expect(again.exitCode, again.all).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
    expect(readFileSync(path.join(target, 'data', 'precious.txt'), 'utf8')).toBe('keep me\n');
  });

  it('a symlinked state file: `up` exits 2 and nothing is written through it', async () => {
    const p = stack();
    const target = outside();
    mkdirSync(path.join(p.dir, '.sidecar'));
    symlinkSync(path.join(target, 'app.log'), path.join(p.dir, '.sidecar', 'state.json'));
    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(2);
    expect(readFileSync(path.join(target, 'app.log'), 'utf8')).toBe('not a log of sidecar\n');
  });
});
