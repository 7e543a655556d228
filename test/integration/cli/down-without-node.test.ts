import {mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync, existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {appAndSidecar, cli, eventually, project, readJson, recordNodeStarts, root, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 13.1/13.2: a plain `down` of a detached stack runs from bin/run.js's sh
// line (bin/down.sh), without Node: a request in .sidecar/down.request and a
// SIGTERM to the supervisor, which stops and forgets the stack as the socket's
// `down` does. A Node hook (NODE_OPTIONS) records every Node start, so each test
// knows which path ran; the results must be the same either way.
const track = trackProjects();
const bin = path.join(root, 'bin/run.js');

// Gone, or a zombie its new parent has not read yet (a detached supervisor's is init).
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

const stateEntries = (p: Project): string[] => readdirSync(path.join(p.dir, '.sidecar')).sort();
const withVolume = (name: string): string => `${appAndSidecar(name)}volumes:\n  data: {}\n`;

describe('`down` without Node (bin/down.sh)', () => {
  it('stops a detached stack, says so, and leaves .sidecar/ as the Node path does', async () => {
    const p = track(project(appAndSidecar('sh-down')));
    const {env, nodeStarts} = recordNodeStarts(p);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const supervisor = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json')).pid;
    const down = await execa(bin, ['down'], {cwd: p.dir, env, reject: false});
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toBe('stopped sh-down');
    expect(down.stderr).toBe('');
    expect(nodeStarts()).toEqual([]);
    expect(survivors(p.mark)).toEqual([]);
    expect(isAlive(supervisor)).toBe(false);
    expect(readFileSync(path.join(p.dir, '.sidecar/supervisor.log'), 'utf8')).toContain('SIGTERM with a down request');
    const bySh = stateEntries(p);
    expect(bySh).not.toContain('state.json');
    expect(readJson<{project: string; ran: string[]}>(path.join(p.dir, '.sidecar/last-run.json'))).toEqual(expect.objectContaining({project: 'sh-down', ran: ['proxy', 'app']}));

    // The same stack stopped by Node (`node bin/run.js` skips the sh line): the same files, the same words.
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const byNode = await execa(process.execPath, [bin, 'down'], {cwd: p.dir, env, reject: false});
    expect(byNode.stdout).toBe(down.stdout);
    expect(nodeStarts()).toHaveLength(1);
    expect(stateEntries(p)).toEqual(bySh);
    const ps = await cli(p, ['ps', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    expect(JSON.parse(ps.stdout).services.map((s: {state: string}) => s.state)).toEqual(['exited', 'exited']);
  });

  it('a request left by an interrupted `down` is cleared by the next supervisor, and does not block the shell', async () => {
    const p = track(project(appAndSidecar('sh-down-stale')));
    const {env, nodeStarts} = recordNodeStarts(p);
    mkdirSync(path.join(p.dir, '.sidecar'), {mode: 0o700});
    writeFileSync(path.join(p.dir, '.sidecar/down.request'), 'sidecar-down 1 1 1\n');
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect(existsSync(path.join(p.dir, '.sidecar/down.request'))).toBe(false);
    const down = await execa(bin, ['down'], {cwd: p.dir, env, reject: false});
    expect(down.stdout, down.stderr).toBe('stopped sh-down-stale');
    expect(nodeStarts()).toEqual([]);
  });

  it('takes --volumes and --file=, from another directory and through an npm bin link', async () => {
    const p = track(project(withVolume('sh-down-volumes')));
    const {env, nodeStarts} = recordNodeStarts(p);
    const file = path.join(p.dir, 'sidecar.yaml');
    const volume = path.join(p.dir, '.sidecar/volumes/data');
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    writeFileSync(path.join(volume, 'kept'), 'x');
    // npm links bin/run.js into node_modules/.bin: the sh line finds down.sh beside the real file.
    const links = mkdtempSync(path.join(os.tmpdir(), 'sidecar-bin-'));
    symlinkSync(bin, path.join(links, 'sidecar'));
    const plain = await execa(path.join(links, 'sidecar'), ['down', '--file', file], {cwd: os.tmpdir(), env, reject: false});
    expect(plain.stdout, plain.stderr).toBe('stopped sh-down-volumes');
    expect(readFileSync(path.join(volume, 'kept'), 'utf8')).toBe('x');

    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const volumes = await execa(bin, ['down', '--volumes', `--file=${file}`], {cwd: os.tmpdir(), env, reject: false});
    // The volumes it removed are named, as Node's `down` names them (found by a new
    // user's trial: a running stack's `down --volumes` said only "stopped").
    expect(volumes.stdout, volumes.stderr).toBe('stopped sh-down-volumes; removed 1 volume: data');
    expect(existsSync(volume)).toBe(false);
    expect(nodeStarts()).toEqual([]);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('leaves every other form to Node, with its answer', async () => {
    const p = track(project(appAndSidecar('sh-down-other')));
    const {env, nodeStarts} = recordNodeStarts(p);
    const cases: {args: string[]; answer: (down: {exitCode?: number; stdout: string; stderr: string}) => void}[] = [
      {args: ['down', '--json'], answer: (down) => expect(JSON.parse(down.stdout)).toEqual(expect.objectContaining({outcome: 'stopped', project: 'sh-down-other'}))},
      {args: ['down', '--timeout', '5s'], answer: (down) => expect(down.stdout).toBe('stopped sh-down-other')},
      {
        args: ['down', '-f', 'sidecar.yaml', '--file', 'sidecar.yaml'],
        answer: (down) => {
          expect(down.exitCode).toBe(2);
          expect(down.stderr).toContain('can only be specified once');
        },
      },
    ];
    for (const {args, answer} of cases) {
      expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
      const before = nodeStarts().length;
      answer(await execa(bin, args, {cwd: p.dir, env, reject: false}));
      expect(nodeStarts().length, args.join(' ')).toBeGreaterThan(before);
    }
    // The repeated flag was refused (by oclif, as ever): that stack still runs.
    expect((await cli(p, ['down'])).stdout).toBe('stopped sh-down-other');
    expect(survivors(p.mark)).toEqual([]);
  });

  it('leaves a foreground `up` to Node: its supervisor is not detached', async () => {
    const p = track(project(appAndSidecar('sh-down-fg')));
    const {env, nodeStarts} = recordNodeStarts(p);
    const foreground = cli(p, ['up', '--runtime', 'process']);
    await eventually(async () => {
      const ps = await cli(p, ['ps', '--json']);
      return ps.exitCode === 0 && JSON.parse(ps.stdout).services.every((s: {state: string}) => s.state === 'running');
    }, 30_000, 'the foreground stack to run');
    const down = await execa(bin, ['down'], {cwd: p.dir, env, reject: false});
    expect(down.stdout, down.stderr).toBe('stopped sh-down-fg');
    expect(nodeStarts()).toHaveLength(1);
    expect((await foreground).exitCode).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('leaves a .sidecar/ with a symlink in it to Node, which refuses it (issue 9.7) and stops nothing', async () => {
    const p = track(project(appAndSidecar('sh-down-link')));
    const {env, nodeStarts} = recordNodeStarts(p);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const outside = mkdtempSync(path.join(os.tmpdir(), 'sidecar-outside-'));
    const link = path.join(p.dir, '.sidecar/logs/elsewhere.log');
    symlinkSync(path.join(outside, 'x.log'), link);
    const down = await execa(bin, ['down'], {cwd: p.dir, env, reject: false});
    expect(down.exitCode).toBe(2);
    expect(down.stderr).toContain('is a symlink');
    expect(nodeStarts()).toHaveLength(1);
    expect(survivors(p.mark)).not.toEqual([]);
    unlinkSync(link);
    expect((await cli(p, ['down'])).stdout).toBe('stopped sh-down-link');
    expect(survivors(p.mark)).toEqual([]);
  });

  it('a SIGTERM without a request for this supervisor stays a plain stop: state.json kept for `ps`', async () => {
    const p = track(project(appAndSidecar('sh-down-sigterm')));
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const record = readJson<{pid: number; startTime: string}>(path.join(p.dir, '.sidecar/supervisor.json'));
    // A request left for another process (a `down` interrupted before its SIGTERM, of another stack).
    const request = path.join(p.dir, '.sidecar/down.request');
    writeFileSync(request, `sidecar-down ${record.pid + 1} ${record.startTime} 1\n`);
    process.kill(record.pid, 'SIGTERM');
    await eventually(() => !isAlive(record.pid), 20_000, 'the supervisor to exit');
    expect(existsSync(request)).toBe(false);
    expect(stateEntries(p)).toContain('state.json');
    expect(readFileSync(path.join(p.dir, '.sidecar/supervisor.log'), 'utf8')).toContain('SIGTERM: stopping the stack');
    expect(survivors(p.mark)).toEqual([]);
  });
});

// The project directory as Node finds it, for the forms bin/down.sh reads itself.
describe('`down` without Node finds the project as Node does', () => {
  it('from a manifest named by SIDECAR_FILE, and by a path with `..` in it', async () => {
    const p = track(project(appAndSidecar('sh-down-paths')));
    const {env, nodeStarts} = recordNodeStarts(p);
    const sub = path.join(p.dir, 'sub');
    mkdirSync(sub);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const viaEnv = await execa(bin, ['down'], {cwd: os.tmpdir(), env: {...env, SIDECAR_FILE: path.join(p.dir, 'sidecar.yaml')}, reject: false});
    expect(viaEnv.stdout, viaEnv.stderr).toBe('stopped sh-down-paths');
    expect(nodeStarts()).toEqual([]);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    // `sub/../sidecar.yaml`: Node resolves `..` on the path's text; the shell leaves that form to it.
    const dotted = await execa(bin, ['down', '-f', 'sub/../sidecar.yaml'], {cwd: p.dir, env, reject: false});
    expect(dotted.stdout, dotted.stderr).toBe('stopped sh-down-paths');
    expect(nodeStarts()).toHaveLength(1);
    expect(survivors(p.mark)).toEqual([]);
  });
});
