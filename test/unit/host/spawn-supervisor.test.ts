import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {processStartTime} from '../../../src/runtime/process/process-start-time.js';
import {currentBootId} from '../../../src/runtime/process/proc-table.js';
import {fromChild, PRESPAWN_KEY, type Prespawned} from '../../../src/host/prespawn.js';
import {projectFiles} from '../../../src/host/project-files.js';
import {spawnSupervisor, type SupervisorArgs} from '../../../src/host/spawn-supervisor.js';

// Issue 13.2: what `up` made for the supervisor before handing the stack over
// (the pod's infra, src/runtime/docker/infra-head-start.ts) goes with a start
// that no supervisor lives on: `abandoned` runs before spawnSupervisor throws.
const dirs: string[] = [];
const ends: Array<() => void> = [];
afterEach(() => {
  for (const end of ends.splice(0)) end();
  delete (globalThis as Record<symbol, unknown>)[PRESPAWN_KEY];
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function projectDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-spawn-'));
  dirs.push(dir);
  return dir;
}

const args: SupervisorArgs = {manifestFile: 'sidecar.yaml', runtime: 'docker', only: []};

describe('spawnSupervisor', () => {
  it('runs `abandoned` when the supervisor exits before it answers', async () => {
    const files = projectFiles(projectDir());
    mkdirSync(files.root, {mode: 0o700});
    writeFileSync(files.supervisorLog, '');
    // A supervisor started ahead (bin/run.js) that dies as the stack is handed over: a real process.
    const child = spawn(process.execPath, ['-e', 'process.stderr.write("cannot go on\\n"); process.exit(3)'], {stdio: ['ignore', 'ignore', 'ignore', 'pipe']});
    // As prespawnSupervisor does: a pipe the child closed is not an error of the CLI's.
    child.stdio[3]?.on('error', () => undefined);
    const prespawned: Prespawned = fromChild(files.dir, child);
    (globalThis as Record<symbol, unknown>)[PRESPAWN_KEY] = prespawned;
    let calls = 0;
    await expect(spawnSupervisor(files, args, undefined, async () => void calls++)).rejects.toMatchObject({code: 'SIDECAR_STACK_FAILED', message: expect.stringContaining('exited with code 3') as unknown});
    expect(calls).toBe(1);
  });

  it('runs `abandoned` when no supervisor could be started at all', async () => {
    const files = projectFiles(projectDir());
    // .sidecar as a symlink: refused before anything is spawned.
    const elsewhere = projectDir();
    symlinkSync(elsewhere, files.root);
    let calls = 0;
    await expect(spawnSupervisor(files, args, undefined, async () => void calls++)).rejects.toThrow();
    expect(calls).toBe(1);
  });

  it('leaves what it made to a supervisor that runs but answers wrongly: it is not abandoned', async () => {
    const files = projectFiles(projectDir());
    mkdirSync(files.root, {mode: 0o700});
    writeFileSync(files.supervisorLog, '');
    // A supervisor that stays up, records itself, and whose socket answers `hello` as another pid.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], {stdio: ['ignore', 'ignore', 'ignore', 'pipe']});
    child.stdio[3]?.on('error', () => undefined);
    ends.push(() => child.kill('SIGKILL'));
    await new Promise((resolve) => child.once('spawn', resolve));
    const server = net.createServer((socket) => socket.end(JSON.stringify({type: 'result', result: {pid: 1, phase: 'starting'}}) + '\n'));
    await new Promise<void>((resolve) => server.listen(files.socket, resolve));
    ends.push(() => server.close());
    writeFileSync(files.supervisor, JSON.stringify({pid: child.pid, startTime: processStartTime(child.pid!), bootId: currentBootId(), socket: files.socket, project: 'p', runtime: 'docker', manifestFile: 'sidecar.yaml', startedAt: Date.now(), detached: true}));
    (globalThis as Record<symbol, unknown>)[PRESPAWN_KEY] = fromChild(files.dir, child);
    let calls = 0;
    await expect(spawnSupervisor(files, args, undefined, async () => void calls++)).rejects.toMatchObject({code: 'SIDECAR_SOCKET_UNTRUSTED'});
    expect(child.exitCode).toBeNull();
    expect(calls).toBe(0);
  });
});
