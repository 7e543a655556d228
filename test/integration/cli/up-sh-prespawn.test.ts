import {spawn} from 'node:child_process';
import {chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {appAndSidecar, cli, eventually, processesIn, project, root, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 13.1: bin/up.sh starts the detached supervisor of `up -d`/`up --wait`
// before Node starts the CLI; the CLI hands the stack over through a FIFO in
// .sidecar/, or ends it. What must hold: the stack comes up the same, nothing is
// left behind (no waiting supervisor, no FIFO) whatever the CLI does, and at any
// doubt Node starts the supervisor as before.
const track = trackProjects();

// Supervisors started by the shell in this project directory (running or waiting).
const shellStarted = (dir: string): number[] => processesIn(dir, '--handover=handover-');

const fifos = (p: Project): string[] => readdirSync(path.join(p.dir, '.sidecar')).filter((name) => name.startsWith('handover-'));

// A project whose .sidecar/ exists (a first `up` makes it the usual way).
async function primed(name: string): Promise<Project> {
  const p = track(project(appAndSidecar(name)));
  expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
  expect((await cli(p, ['down'])).exitCode).toBe(0);
  return p;
}

// A directory of stand-ins put first on PATH: `node` for the CLI only, or `mkfifo`.
function fakeBin(p: Project, scripts: Record<string, string>): Record<string, string> {
  const dir = path.join(p.dir, 'fake-bin');
  mkdirSync(dir, {recursive: true});
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return {...p.env, PATH: `${dir}:${process.env.PATH}`};
}

describe('bin/up.sh: the supervisor started before Node', () => {
  it('runs the stack it is handed; the FIFO is gone once it is; down stops it all', async () => {
    const p = await primed('sh-ahead');
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const pid = Number(/supervisor pid (\d+)/.exec(up.stdout)?.[1]);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/--handover=handover-\d+/);
    expect(fifos(p)).toEqual([]);
    const ps = await cli(p, ['ps', '--json']);
    expect(JSON.parse(ps.stdout).services.map((s: {name: string; state: string}) => `${s.name}:${s.state}`)).toEqual(['proxy:running', 'app:running']);
    expect((await cli(p, ['down'])).stdout).toBe('stopped sh-ahead');
    expect(survivors(p.mark)).toEqual([]);
  });

  it('is ended, with its FIFO, when `up` fails its checks', async () => {
    const p = await primed('sh-fail');
    writeFileSync(path.join(p.dir, 'sidecar.yaml'), 'version: 1\nname: sh-fail\napp: {command: [node, x.js]\n');
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(3);
    expect(up.stderr).toContain('SIDECAR_MANIFEST_INVALID');
    await eventually(() => shellStarted(p.dir).length === 0, 10_000, 'the waiting supervisor to end');
    expect(fifos(p)).toEqual([]);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('ends by itself, with its FIFO, when the CLI is killed before the hand-over', async () => {
    const p = await primed('sh-killed');
    const log = path.join(p.dir, '.sidecar', 'supervisor.log');
    const size = statSync(log).size;
    const real = process.execPath;
    // The CLI's Node never comes (a sleep in its place); the supervisor's is the real one.
    const env = fakeBin(p, {node: `case "$1" in */run.js) exec sleep 30 ;; esac\nexec "${real}" "$@"`});
    const up = execa(path.join(root, 'bin/run.js'), ['up', '--wait', '--runtime', 'process'], {cwd: p.dir, env, reject: false});
    // Killed as soon as the shell started it: its Node may not have started yet (found by this test).
    await eventually(() => shellStarted(p.dir).length === 1, 10_000, 'the supervisor started by the shell');
    up.kill('SIGKILL');
    await up;
    await eventually(() => shellStarted(p.dir).length === 0, 10_000, 'the orphaned supervisor to end');
    expect(fifos(p)).toEqual([]);
    expect(survivors(p.mark)).toEqual([]);
    // It wrote nothing: it never had a stack.
    expect(statSync(log).size).toBe(size);
  });

  it('falls back to Node starting the supervisor when the shell cannot make its FIFO', async () => {
    const p = await primed('sh-no-fifo');
    const env = fakeBin(p, {mkfifo: 'exit 1'});
    const up = await execa(path.join(root, 'bin/run.js'), ['up', '--wait', '--runtime', 'process'], {cwd: p.dir, env, reject: false, all: true});
    expect(up.exitCode, up.all).toBe(0);
    const pid = Number(/supervisor pid (\d+)/.exec(up.stdout)?.[1]);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('--handover');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('starts nothing where .sidecar/ holds a symlink (Node refuses the project as ever)', async () => {
    const p = await primed('sh-link');
    const log = path.join(p.dir, '.sidecar', 'supervisor.log');
    const elsewhere = path.join(p.dir, 'elsewhere.log');
    writeFileSync(elsewhere, '');
    rmSync(log);
    symlinkSync(elsewhere, log);
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).not.toBe(0);
    expect(up.stderr).toContain('symlink');
    expect(shellStarted(p.dir)).toEqual([]);
    expect(statSync(elsewhere).size).toBe(0);
    expect(fifos(p)).toEqual([]);
  });

  it('a supervisor waiting for its arguments ends on SIGTERM as not needed, after its warm-up shell', async () => {
    // The CLI ends a supervisor the shell started with SIGTERM when it cannot tell
    // it through the FIFO (a CI dry run found the warm-up shell, blocked in its write
    // to cgroup.procs, left to init by a SIGKILL). Started here as bin/up.sh does.
    const p = await primed('sh-sigterm');
    const fifo = path.join(p.dir, '.sidecar', `handover-${process.pid}`);
    await execa('mkfifo', ['-m', '600', fifo]);
    const fd = openSync(fifo, 'r+');
    const supervisor = spawn(process.execPath, [path.join(root, 'bin/supervisor.js'), '--args-on-fd3', `--handover=handover-${process.pid}`, '--runtime=process'], {cwd: p.dir, env: p.env, stdio: ['ignore', 'ignore', 'ignore', fd], detached: true});
    closeSync(fd);
    const ended = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => supervisor.once('exit', (code, signal) => resolve({code, signal})));
    await eventually(() => shellStarted(p.dir).length === 1, 10_000, 'the supervisor to wait');
    // Its Node is up and waiting once its FIFO is open and its handler in place: give it the time a CLI takes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    supervisor.kill('SIGTERM');
    expect(await ended).toEqual({code: 0, signal: null});
    expect(survivors(p.mark)).toEqual([]);
    expect(fifos(p)).toEqual([]);
  });

  it('a SIGTERM just as its warm-up shell is started still ends it after that shell', async () => {
    // Its handler comes before the shell: a SIGTERM's default end would leave the
    // shell to init. A preloaded hook sends it at that moment.
    const p = await primed('sh-sigterm-early');
    const hook = path.join(p.dir, 'term-after-spawn.cjs');
    const shellPid = path.join(p.dir, 'warm-up.pid');
    writeFileSync(hook, `const cp = require('node:child_process');\nconst spawn = cp.spawn;\ncp.spawn = function (...args) {\n  const child = spawn.apply(this, args);\n  if (args[0] === '/bin/sh') { require('node:fs').writeFileSync(${JSON.stringify(shellPid)}, String(child.pid)); process.kill(process.pid, 'SIGTERM'); }\n  return child;\n};\n`);
    const fifo = path.join(p.dir, '.sidecar', `handover-${process.pid}`);
    await execa('mkfifo', ['-m', '600', fifo]);
    const fd = openSync(fifo, 'r+');
    const supervisor = spawn(process.execPath, [path.join(root, 'bin/supervisor.js'), '--args-on-fd3', `--handover=handover-${process.pid}`, '--runtime=process'], {cwd: p.dir, env: {...p.env, NODE_OPTIONS: `--require ${hook}`}, stdio: ['ignore', 'ignore', 'ignore', fd], detached: true});
    closeSync(fd);
    const ended = await new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => supervisor.once('exit', (code, signal) => resolve({code, signal})));
    expect(ended).toEqual({code: 0, signal: null});
    // The hook saw the shell start; it had ended (reaped) before the supervisor did.
    expect(existsSync(`/proc/${Number(readFileSync(shellPid, 'utf8'))}`)).toBe(false);
  });
});
