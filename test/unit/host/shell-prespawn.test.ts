import {spawn, type ChildProcess} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {procState, SHELL_PRESPAWN_KEY, takeShellPrespawn} from '../../../src/host/shell-prespawn.js';

// src/host/shell-prespawn.ts: what the CLI takes from bin/up.sh. Only its own
// child, started for this project's .sidecar/, is used; nothing else is signalled.
const ends: Array<() => void> = [];
afterEach(() => {
  for (const end of ends.splice(0)) end();
  delete (globalThis as Record<symbol, unknown>)[SHELL_PRESPAWN_KEY];
});

function projectDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-shell-prespawn-'));
  mkdirSync(path.join(dir, '.sidecar'), {mode: 0o700});
  ends.push(() => rmSync(dir, {recursive: true, force: true}));
  return dir;
}

async function sleeper(): Promise<ChildProcess> {
  const child = spawn('sleep', ['30'], {stdio: 'ignore'});
  ends.push(() => child.kill('SIGKILL'));
  await new Promise((resolve) => child.once('spawn', resolve));
  return child;
}

const told = (value: string): void => void ((globalThis as Record<symbol, unknown>)[SHELL_PRESPAWN_KEY] = value);
const alive = (pid: number): boolean => {
  const state = procState(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
};

describe.runIf(process.platform === 'linux')('takeShellPrespawn', () => {
  it('takes our child started for this project, once', async () => {
    const dir = projectDir();
    const child = await sleeper();
    told(`${child.pid} ${path.join(dir, '.sidecar', 'handover-123')}`);
    const taken = takeShellPrespawn(dir);
    expect(taken).toMatchObject({dir, pid: child.pid});
    expect(taken!.exited()).toBeUndefined();
    expect(takeShellPrespawn(dir)).toBeUndefined();
  });

  it('never signals a process that is not our child', async () => {
    const dir = projectDir();
    // A grandchild: alive, ours in no sense the kernel knows.
    const shell = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], {stdio: ['ignore', 'pipe', 'ignore']});
    const grandchild = Number(await new Promise<string>((resolve) => shell.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
    ends.push(() => {
      process.kill(grandchild, 'SIGKILL');
      shell.kill('SIGKILL');
    });
    told(`${grandchild} ${path.join(dir, '.sidecar', 'handover-1')}`);
    expect(takeShellPrespawn(dir)).toBeUndefined();
    expect(alive(grandchild)).toBe(true);
  });

  it('ends our child when it was started for another directory, or with another name', async () => {
    const dir = projectDir();
    for (const fifo of [path.join(projectDir(), '.sidecar', 'handover-1'), path.join(dir, '.sidecar', 'state.json'), path.join(dir, 'handover-1')]) {
      // SIGURG: a supervisor waiting for its arguments ends on it after its warm-up's shell.
      const child = spawn('sh', ['-c', "trap 'exit 7' URG; while :; do sleep 0.02; done"], {stdio: 'ignore'});
      ends.push(() => child.kill('SIGKILL'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const ended = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      told(`${child.pid} ${fifo}`);
      expect(takeShellPrespawn(dir)).toBeUndefined();
      expect(await ended).toBe(7);
    }
  });

  it('ends it before returning: SIGURG again and again until it has ended, SIGTERM at the deadline', async () => {
    // bin/up.sh's shell ends after its mkfifo; setsid and a Node still starting let
    // SIGURG pass: kill() returns once its child is gone.
    const dir = projectDir();
    const cases: Array<[string, number | null]> = [
      // Ends after the command it runs (0.3 s).
      ["e=; trap 'e=1' URG; while [ -z \"$e\" ]; do sleep 0.3; done", 0],
      // Ends on its third SIGURG.
      ["n=0; trap 'n=$((n+1))' URG; while [ $n -lt 3 ]; do sleep 0.02; done", 0],
      // Lets it pass (sleep's default), then handles it (as Node waiting for its arguments).
      ["sleep 0.3; exec sh -c \"trap 'exit 0' URG; while :; do sleep 0.02; done\"", 0],
      // Never handles it: SIGTERM after 3 s.
      ['exec sleep 30', null],
    ];
    for (const [script, code] of cases) {
      const child = spawn('sh', ['-c', script], {stdio: 'ignore'});
      ends.push(() => child.kill('SIGKILL'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      told(`${child.pid} ${path.join(dir, '.sidecar', 'handover-1')}`);
      const taken = takeShellPrespawn(dir)!;
      taken.kill();
      expect(alive(child.pid!), script).toBe(false);
      expect(taken.exited(), script).toBe(code);
    }
  });

  it('ignores what is not `PID /absolute/path`', () => {
    const dir = projectDir();
    for (const value of ['', '12', `0 ${dir}/.sidecar/handover-1`, `-5 ${dir}/.sidecar/handover-1`, `12 relative/handover-1`, `1e3 ${dir}/.sidecar/handover-1`]) {
      told(value);
      expect(takeShellPrespawn(dir)).toBeUndefined();
    }
  });
});

describe.runIf(process.platform === 'linux')('procState', () => {
  it('reads the state and parent of a process, and nothing for one that is gone', async () => {
    const child = await sleeper();
    expect(procState(child.pid!)).toMatchObject({ppid: process.pid});
    expect(['S', 'R']).toContain(procState(child.pid!)!.state);
    expect(procState(2 ** 22 + 1)).toBeUndefined();
  });
});
