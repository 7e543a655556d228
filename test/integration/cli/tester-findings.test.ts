import {describe, expect, it} from 'vitest';
import {execa} from 'execa';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cli, eventually, project, root, survivors, trackProjects, type Project} from './cli-harness.js';

// Findings of the wave's tester, each reproduced through the built CLI.
const track = trackProjects();

const printing = (): Project => {
  const p = project(`version: 1
name: findings
app:
  command: [node, -e, "console.log('hello from app'); setInterval(() => {}, 1000)"]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
sidecars:
  a:
    command: [node, \${PROGRAMS}/forever.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 1s
`);
  track(p);
  return p;
};

describe('tester findings', () => {
  it('logs -f with no stack running prints the past lines and exits instead of hanging', async () => {
    const p = printing();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    // Without a probe the app is ready once it runs, before its Node start prints the
    // line; a down right away (~40 ms now) could stop it first. Its line is in first.
    await eventually(async () => (await cli(p, ['logs', 'app'])).stdout.includes('hello from app'), 20_000, 'the app to print its line');
    expect((await cli(p, ['down', '--timeout', '1s'])).exitCode).toBe(0);
    const started = cli(p, ['logs', '-f']);
    const timer = setTimeout(() => started.kill('SIGKILL'), 20_000);
    const result = await started;
    clearTimeout(timer);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('hello from app');
    expect(result.stderr).toContain('no stack is running');
  }, 60_000);

  it('logs -f pod.yaml (a manifest where -f means --follow) is a usage error pointing at --file', async () => {
    const p = printing();
    writeFileSync(path.join(p.dir, 'pod.yaml'), '');
    const result = await cli(p, ['logs', '-f', 'pod.yaml', 'orders/app']);
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain('"pod.yaml" is not a service: in `sidecar logs`, -f is --follow');
    expect(result.stderr).toContain('fix: name the manifest with --file: sidecar logs --file pod.yaml -f orders/app');
  });

  // Found by a new user's trial: a SIGTERM to `run` reached CMD's shell only; its
  // children went on under init, and so did what CMD left running when it ended.
  it('run: a SIGTERM reaches all of CMD, and nothing CMD started outlives run', async () => {
    const p = printing();
    const sh = (script: string) => ['run', '--runtime', 'process', '--', 'sh', '-c', script];
    const left = cli(p, sh('sleep 41 & echo begun; sleep 42; wait'));
    let out = '';
    left.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => out.includes('begun'), 30_000, 'CMD to start');
    // process.kill, not execa's kill(), which would SIGKILL `run` itself 5 s later.
    process.kill(left.pid!, 'SIGTERM');
    const stopped = await left;
    expect(stopped.exitCode, stopped.all).toBe(143);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing of CMD left');

    // CMD ends, leaving a child in the background: stopped with the stack.
    const ended = await cli(p, sh('sleep 43 & echo left one'));
    expect(ended.exitCode, ended.all).toBe(0);
    expect(survivors(p.mark)).toEqual([]);

    // A CMD that ignores SIGTERM: SIGKILL after the grace, to all of it.
    const stubborn = cli(p, sh('trap "" TERM INT; echo begun; sleep 44'));
    let said = '';
    stubborn.stdout!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    await eventually(() => said.includes('begun'), 30_000, 'CMD to start');
    process.kill(stubborn.pid!, 'SIGTERM');
    const killed = await stubborn;
    expect(killed.exitCode, killed.all).toBe(137);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing of CMD left');
  }, 90_000);

  // Found by a new user's trial: `new http-proxy ""` wrote its 26 files into the
  // current, non-empty directory; `init -- -weird` suggested `cd -weird`, an option to cd.
  it('new and init refuse an empty directory name, and say how to cd into a dir that starts with -', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-scaffold-'));
    try {
      writeFileSync(path.join(dir, 'keep'), 'x');
      const sidecar = (args: string[]) => execa(path.join(root, 'bin/run.js'), args, {cwd: dir, reject: false, env: {NO_COLOR: '1', CI: 'true'}});
      for (const args of [['new', 'http-proxy', ''], ['init', '']]) {
        const result = await sidecar(args);
        expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        expect(result.stderr).toContain('the directory is empty ("")');
      }
      expect(readdirSync(dir)).toEqual(['keep']);
      const weird = await sidecar(['init', '--', '-weird']);
      expect(weird.exitCode, weird.stderr).toBe(0);
      expect(weird.stdout).toContain('next: cd ./-weird && sidecar validate && sidecar up');
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  // Found by a new user's trial: the README `init` writes listed `sidecar run -- npm test`,
  // which fails in the project it made (no package.json at its root, no tests).
  it('the README init writes suggests no npm script the project does not have', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-init-readme-'));
    try {
      const init = await execa(path.join(root, 'bin/run.js'), ['init', 'proj'], {cwd: dir, reject: false, env: {NO_COLOR: '1', CI: 'true'}});
      expect(init.exitCode, init.stderr).toBe(0);
      const readme = readFileSync(path.join(dir, 'proj', 'README.md'), 'utf8');
      const scripts = existsSync(path.join(dir, 'proj', 'package.json')) ? Object.keys((JSON.parse(readFileSync(path.join(dir, 'proj', 'package.json'), 'utf8')) as {scripts?: object}).scripts ?? {}) : [];
      const suggested = [...readme.matchAll(/`sidecar run -- npm (?:run )?([a-z-]+)`/g)].map((m) => m[1]);
      expect(suggested.filter((script) => !scripts.includes(script!))).toEqual([]);
      expect(readme).toContain('`sidecar run -- curl -fsS localhost:8000/`');
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  // Found by a new user's trial: the app exited 9 while the tests ran, and `run` said nothing.
  it('run says what of the stack ended while CMD ran, and keeps CMD\'s exit code', async () => {
    const p = project(`version: 1
name: dying
app:
  command: [sh, -c, "sleep 1; exit 9"]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  restart: never
`);
    track(p);
    const result = await cli(p, ['run', '--runtime', 'process', '--', 'sh', '-c', 'sleep 3; echo cmd-done']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('cmd-done');
    expect(result.stderr).toContain('sidecar: while sh ran, app exited (exit code 9); `sidecar logs app` shows its last lines');
  });

  // Found by a new user's trial looking at `init . --force` and a package.json that is
  // not a plain file: one that is a FIFO made `init` wait forever for a writer.
  it('init around a package.json that is a FIFO does not wait on it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-init-fifo-'));
    try {
      await execa('mkfifo', [path.join(dir, 'package.json')]);
      const init = await execa(path.join(root, 'bin/run.js'), ['init', '.', '--force'], {cwd: dir, reject: false, timeout: 20_000, env: {NO_COLOR: '1', CI: 'true'}});
      expect(init.timedOut, 'init waited on the FIFO').toBe(false);
      expect(init.exitCode, init.stderr).toBe(0);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('up --runtime docker on a running process-runtime stack is refused, not a silent no-op', async () => {
    const p = printing();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const other = await cli(p, ['up', '--runtime', 'docker']);
    expect(other.exitCode, other.all).toBe(5);
    expect(other.stderr).toContain('SIDECAR_ALREADY_RUNNING');
    expect(other.stderr).toContain('process runtime');
    expect(other.stderr).toContain('sidecar down');
    expect(other.stdout).not.toContain('recreated');
    expect(other.stderr).toContain('fix: `sidecar down` first, then `sidecar up --runtime docker`');
    // `run` is told to run again, not to `up` (found by a new user's trial).
    const run = await cli(p, ['run', '--runtime', 'docker', '--', 'true']);
    expect(run.exitCode, run.all).toBe(5);
    expect(run.stderr).toContain('fix: `sidecar down` first, then `sidecar run --runtime docker` again');
    // The same runtime, or none named, still converges the running stack.
    const same = await cli(p, ['up', '--runtime', 'process']);
    expect(same.exitCode, same.all).toBe(0);
    const auto = await cli(p, ['up']);
    expect(auto.exitCode, auto.all).toBe(0);
  }, 60_000);

  it('exec passes the CLI stdin to the command, and does not wait for stdin to end when the command does not read it', async () => {
    const p = printing();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const bin = path.join(root, 'bin/run.js');
    const piped = await execa(process.execPath, [bin, 'exec', 'a', '--', 'wc', '-c'], {reject: false, cwd: p.dir, env: p.env, input: 'abc'});
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stdout.trim()).toBe('3');
    // stdin left open (a CI runner's pipe): a command that does not read it still ends.
    const open = execa(process.execPath, [bin, 'exec', 'a', '--', 'node', '-e', 'console.log("done")'], {reject: false, cwd: p.dir, env: p.env, stdin: 'pipe'});
    const timer = setTimeout(() => open.kill('SIGKILL'), 20_000);
    const result = await open;
    clearTimeout(timer);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('done');
  }, 60_000);

  it('exec of a missing command says so in one line, exit 127, no spawn jargon', async () => {
    const p = printing();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const missing = await cli(p, ['exec', 'a', '--', 'no-such-command-xyz']);
    expect(missing.exitCode, missing.all).toBe(127);
    expect(missing.stderr.trim()).toBe('no-such-command-xyz: command not found');
  }, 60_000);

  // Found by a new user's trial: `run -- ./script.sh` without its x bit exited 127
  // (not found) with execa's "Command failed with EACCES" and "spawn ... EACCES".
  it('run of a command that cannot start exits as a shell would (126 not executable, 127 not found), in one line', async () => {
    const p = printing();
    writeFileSync(path.join(p.dir, 'noexec.sh'), '#!/bin/sh\necho hi\n', {mode: 0o644});
    for (const [command, code, line] of [
      ['./noexec.sh', 126, 'sidecar: ./noexec.sh: permission denied'],
      [p.dir, 126, `sidecar: ${p.dir}: permission denied`],
      ['no-such-command-xyz', 127, 'sidecar: no-such-command-xyz: command not found'],
    ] as const) {
      const run = await cli(p, ['run', '--runtime', 'process', '--', command]);
      expect(run.exitCode, run.all).toBe(code);
      expect(run.stderr).toContain(line);
      expect(run.stderr).not.toMatch(/Command failed|spawn /);
    }
  }, 60_000);

  // Found by a new user's trial: `up -d --file=` said "  is a directory" with a fix
  // that named no command, and `SIDECAR_FILE=dir/ sidecar down` looked for a stack
  // in the directory above `dir`.
  it('an empty manifest path is a usage error, and a directory given for it is named, by every kind of command', async () => {
    const p = printing();
    mkdirSync(path.join(p.dir, 'sub'));
    for (const args of [['up', '-d', '--file='], ['up', '--wait', '--file=', '--runtime', 'process'], ['validate', '--file='], ['down', '--file='], ['ps', '--file=']]) {
      const result = await cli(p, args);
      expect(result.exitCode, `${args.join(' ')}: ${result.all}`).toBe(2);
      expect(result.stderr).toContain('the manifest path is empty');
    }
    for (const args of [['up', '-d', '-f', 'sub'], ['validate', '-f', 'sub'], ['down', '-f', 'sub/'], ['ps', '-f', 'sub'], ['logs', '--file', 'sub']]) {
      const result = await cli(p, args);
      expect(result.exitCode, `${args.join(' ')}: ${result.all}`).toBe(3);
      expect(result.stderr).toContain(`${args.at(-1)} is a directory, not a manifest`);
      expect(result.stderr).toContain(`fix: pass the manifest file itself: -f ${path.join(args.at(-1)!, 'sidecar.yaml')}`);
    }
    // With a stack running in the directory above, `-f sub` (a directory) stops nothing:
    // neither bin/down.sh nor Node takes the directory above for the project.
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const downSub = await cli(p, ['down', '-f', 'sub']);
    expect(downSub.exitCode, downSub.all).toBe(3);
    expect((await cli(p, ['ps', '--json'])).stdout).toContain('"running"');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    rmSync(path.join(p.dir, '.sidecar'), {recursive: true, force: true});
    const fromEnv = await execa(process.execPath, [path.join(root, 'bin/run.js'), 'down'], {reject: false, cwd: p.dir, env: {...p.env, SIDECAR_FILE: `${path.join(p.dir, 'sub')}/`}, all: true});
    expect(fromEnv.exitCode, fromEnv.all).toBe(3);
    expect(fromEnv.stderr).toContain('is a directory, not a manifest');
    // Nothing was started or made for any of them.
    expect(existsSync(path.join(p.dir, '.sidecar'))).toBe(false);
  }, 60_000);

  // Found while testing the switch check: `run -- sh -c '…' sh x` ran `sh sh -c …`.
  // oclif sorts a non-strict command's argv by each word's first index in the input,
  // so a repeated word moved (heroku/cli#2976 met the same).
  it('run and exec pass CMD exactly as typed, repeated words included', async () => {
    const p = printing();
    const script = 'printf "%s|" "$0" "$@"';
    const run = await cli(p, ['run', '--runtime', 'process', '--', 'sh', '-c', script, 'sh', 'a', 'sh', '-c', 'a']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain('sh|a|sh|-c|a|');
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const exec = await cli(p, ['exec', 'a', '--', 'sh', '-c', script, 'sh', 'a', 'sh', '-c', 'a']);
    expect(exec.exitCode, exec.all).toBe(0);
    expect(exec.stdout).toContain('sh|a|sh|-c|a|');
  }, 60_000);
});
