import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {appAndSidecar, cli, project, readJson, recordNodeStarts, root, survivors, trackProjects, type Project} from '../integration/cli/cli-harness.js';

// bin/down.sh signals the pid that .sidecar/supervisor.json names and writes
// .sidecar/down.request (issue 13.1). What it reads there must not make it signal
// a process that is not that supervisor, write through a link, or run a word of
// the record; in every such case Node's `down` runs instead and answers as ever.
const track = trackProjects();
const bin = path.join(root, 'bin/run.js');

const record = (p: Project): string => path.join(p.dir, '.sidecar/supervisor.json');
const down = (p: Project, env: Record<string, string>) => execa(bin, ['down'], {cwd: p.dir, env, reject: false, timeout: 60_000});

describe('attacks on `down` without Node (bin/down.sh)', () => {
  it('a record naming a live process of ours with another start time: that process is not signalled', async () => {
    const p = track(project(appAndSidecar('sh-attack-pid')));
    const {env, nodeStarts} = recordNodeStarts(p);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    // A bystander: ours, alive, and not the supervisor the record was written for.
    const bystander = spawn('sleep', ['60'], {stdio: 'ignore'});
    const stat = readFileSync(`/proc/${bystander.pid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    try {
      const forged = {pid: bystander.pid, startTime: String(Number(startTime) + 1), socket: path.join(p.dir, '.sidecar/control.sock'), project: 'sh-attack-pid', runtime: 'process', manifestFile: path.join(p.dir, 'sidecar.yaml'), startedAt: Date.now(), detached: true};
      writeFileSync(record(p), JSON.stringify(forged, null, 2) + '\n', {mode: 0o600});
      const result = await down(p, env);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(nodeStarts().length).toBe(1);
      expect(bystander.exitCode).toBeNull();
      expect(bystander.signalCode).toBeNull();
      expect(existsSync(path.join(p.dir, '.sidecar/down.request'))).toBe(false);
    } finally {
      bystander.kill('SIGKILL');
    }
  });

  it('a link where down.request goes: nothing is written through it, and Node refuses it', async () => {
    const p = track(project(appAndSidecar('sh-attack-link')));
    const {env, nodeStarts} = recordNodeStarts(p);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const outside = path.join(mkdtempSync(path.join(os.tmpdir(), 'sidecar-outside-')), 'victim');
    writeFileSync(outside, 'keep me\n');
    symlinkSync(outside, path.join(p.dir, '.sidecar/down.request'));
    const result = await down(p, env);
    // The link is in .sidecar/: Node refuses the state tree (issue 9.7), as it did before bin/down.sh.
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('down.request is a symlink');
    expect(nodeStarts().length).toBe(1);
    expect(readFileSync(outside, 'utf8')).toBe('keep me\n');
    expect(survivors(p.mark)).not.toEqual([]);
  });

  it('a dangling link where down.request goes: nothing is created at its target', async () => {
    const p = track(project(appAndSidecar('sh-attack-dangling')));
    const {env, nodeStarts} = recordNodeStarts(p);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'sidecar-outside-')), 'created');
    symlinkSync(target, path.join(p.dir, '.sidecar/down.request'));
    const result = await down(p, env);
    expect(result.exitCode).toBe(2);
    expect(nodeStarts().length).toBe(1);
    expect(existsSync(target)).toBe(false);
  });

  it('a record whose words are shell code: none of it runs, and Node answers', async () => {
    // The project and boot id are checked once the supervisor is seen alive; the pid
    // and start time before: those two on a stopped stack (Node's `down` of a live
    // one whose record is forged waits 30 s for the project's lock, then says so).
    for (const [key, value, live] of [
      ['project', '$(touch PROOF)', true],
      ['bootId', '`touch PROOF`', true],
      // No boot id, or an empty one, names no process: the pid alone is not ours to signal.
      ['bootId', '', true],
      ['bootId', undefined, true],
      ['startTime', '1;touch PROOF', false],
      ['pid', '1 -1', false],
    ] as const) {
      const p = track(project(appAndSidecar(`sh-attack-${key.toLowerCase()}`)));
      const {env, nodeStarts} = recordNodeStarts(p);
      expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
      const proof = path.join(p.dir, 'ran');
      const real = readFileSync(record(p), 'utf8');
      if (!live) expect((await cli(p, ['down'])).exitCode).toBe(0);
      writeFileSync(record(p), JSON.stringify({...(JSON.parse(real) as object), [key]: value?.replace('PROOF', proof)}, null, 2) + '\n', {mode: 0o600});
      await down(p, env);
      expect(nodeStarts().length, `${key}: ${String(value)}`).toBe(1);
      expect(existsSync(proof), key).toBe(false);
      // What Node made of the forged record is not the point here: the real one back, for the clean-up's `down`.
      if (existsSync(record(p))) writeFileSync(record(p), real, {mode: 0o600});
    }
  });

  it('a record moved aside for a link to it: Node refuses the link, and nothing is signalled', async () => {
    const p = track(project(appAndSidecar('sh-attack-record-link')));
    const {env, nodeStarts} = recordNodeStarts(p);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const aside = path.join(mkdtempSync(path.join(os.tmpdir(), 'sidecar-outside-')), 'supervisor.json');
    renameSync(record(p), aside);
    symlinkSync(aside, record(p));
    const pid = readJson<{pid: number}>(aside).pid;
    const result = await down(p, env);
    expect(result.exitCode).toBe(2);
    expect(nodeStarts().length).toBe(1);
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).not.toMatch(/\) [ZX] /);
    // Put back, so the stack can be stopped.
    renameSync(aside, `${record(p)}.tmp`);
    renameSync(`${record(p)}.tmp`, record(p));
  });
  it('noglob from the environment (bash as sh takes SHELLOPTS) does not hide a symlink in .sidecar/', async () => {
    const p = track(project(appAndSidecar('sh-attack-noglob')));
    const {env, nodeStarts} = recordNodeStarts(p);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const outside = mkdtempSync(path.join(os.tmpdir(), 'sidecar-outside-'));
    symlinkSync(outside, path.join(p.dir, '.sidecar/volumes'));
    const result = await execa('bash', [bin, 'down'], {cwd: p.dir, env: {...env, SHELLOPTS: 'braceexpand:hashall:interactive-comments:noglob'}, reject: false, timeout: 60_000});
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is a symlink');
    expect(nodeStarts().length).toBe(1);
    expect(survivors(p.mark)).not.toEqual([]);
  });

  it('`-f .` or `-f sub/..` names the directory above, as Node reads it: the stack here is not stopped', async () => {
    const p = track(project(appAndSidecar('sh-attack-dots')));
    const {env, nodeStarts} = recordNodeStarts(p);
    const sub = path.join(p.dir, 'sub');
    mkdirSync(sub);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    for (const [cwd, file] of [
      [p.dir, '.'],
      [p.dir, 'sub/..'],
      [sub, '..'],
    ] as const) {
      const before = nodeStarts().length;
      await execa(bin, ['down', '-f', file], {cwd, env, reject: false, timeout: 60_000});
      expect(nodeStarts().length, file).toBe(before + 1);
      expect(survivors(p.mark), file).not.toEqual([]);
    }
    // `../sidecar.yaml` from sub/ is this project, and the shell's own form.
    const before = nodeStarts().length;
    const result = await execa(bin, ['down', '-f', '../sidecar.yaml'], {cwd: sub, env, reject: false, timeout: 60_000});
    expect(result.stdout, result.stderr).toBe('stopped sh-attack-dots');
    expect(nodeStarts().length).toBe(before);
    expect(survivors(p.mark)).toEqual([]);
  });
});
