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
      const child = await sleeper();
      const ended = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      told(`${child.pid} ${fifo}`);
      expect(takeShellPrespawn(dir)).toBeUndefined();
      // SIGTERM: a supervisor waiting for its arguments ends on it after its warm-up's shell.
      expect(await ended).toBe('SIGTERM');
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
