import {type ChildProcess, execFileSync, spawn} from 'node:child_process';
import {chmodSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {GATE_BINARIES} from '../../../src/runtime/docker/gate-binary.js';
import {within as withinMs} from '../../helpers/until.js';

// The start gate (native/gate/gate.c) holds a container's program back until the
// supervisor opens a FIFO for reading, then execs it in its own place. What the
// supervisor trusts, pinned on the committed x86_64 binary run natively: no
// release, no run; release runs the program as execvp would, in the gate's pid,
// with its argv and environment, and the reader sees EOF with no bytes; a failed
// exec is told as 4 bytes of errno, a line on stderr and tini's exit code (127
// not found, 126 permission denied); a file with no #! line runs under /bin/sh,
// as execvp (tini's, without the gate) has it; before release SIGTERM ends it;
// the binary stays a few hundred bytes, static, with no writable code.
const native = process.platform === 'linux' && process.arch === 'x64';
const DEADLINE_MS = 5000;
const ENOENT = 2;
const EACCES = 13;
const PATH = '/usr/local/bin:/usr/bin:/bin';

const within = <T>(promise: Promise<T>, what: string, ms = DEADLINE_MS): Promise<T> => withinMs(promise, what, ms);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(!native)('the start gate binary (x86_64, run natively; skipped off linux/x64, where it cannot run)', () => {
  let dir = '';
  let gate = '';
  let bytes = Buffer.alloc(0);
  const children: ChildProcess[] = [];
  const sockets: net.Socket[] = [];
  let serial = 0;

  beforeAll(() => {
    expect(GATE_BINARIES.x86_64, 'GATE_BINARIES has an x86_64 binary').toBeTruthy();
    bytes = Buffer.from(GATE_BINARIES.x86_64, 'base64');
    dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-gate-'));
    gate = path.join(dir, 'gate');
    writeFileSync(gate, bytes, {mode: 0o755});
    chmodSync(gate, 0o755);
  });

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, {recursive: true, force: true});
  });

  function fifo(): string {
    const file = path.join(dir, `fifo-${++serial}`);
    execFileSync('mkfifo', [file]);
    return file;
  }

  function subdir(): string {
    const sub = path.join(dir, `dir-${++serial}`);
    mkdirSync(sub);
    return sub;
  }

  /** Starts the gate; resolves once it runs (Node's spawn event comes after its execve). */
  async function start(args: string[], env: Record<string, string> = {PATH}): Promise<{child: ChildProcess; ended: Promise<Ended>}> {
    const child = spawn(gate, args, {env, stdio: ['pipe', 'pipe', 'pipe']});
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ended = new Promise<Ended>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({code, signal, stdout, stderr}));
    });
    ended.catch(() => {});
    await within(
      new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      }),
      'spawn of the gate',
    );
    return {child, ended};
  }

  /** Waits until the gate sleeps in openat(2) of its FIFO: nobody has released it yet. */
  async function blockedInOpen(pid: number): Promise<void> {
    const stop = Date.now() + DEADLINE_MS;
    for (;;) {
      let blocked: boolean;
      try {
        blocked = readFileSync(`/proc/${pid}/syscall`, 'utf8').startsWith('257 '); // openat
      } catch {
        blocked = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('S');
      }
      if (blocked) return;
      if (Date.now() > stop) throw new Error(`gate ${pid} not blocked in open of its FIFO within ${DEADLINE_MS} ms`);
      await sleep(10);
    }
  }

  /** Opens FIFO's reading end as the supervisor does, and collects what comes before EOF. */
  function release(file: string): {socket: net.Socket; read: Promise<Buffer>} {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const socket = new net.Socket({fd, readable: true, writable: false});
    sockets.push(socket);
    const chunks: Buffer[] = [];
    const read = new Promise<Buffer>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
    read.catch(() => {});
    return {socket, read};
  }

  /** A gate that fails to exec PROGRAM: what the reader gets, and how the gate ends. */
  async function failure(program: string, env: Record<string, string> = {PATH}): Promise<{read: Buffer; end: Ended}> {
    const file = fifo();
    const {child, ended} = await start([file, program, 'an-arg'], env);
    await blockedInOpen(child.pid!);
    const read = await within(release(file).read, 'EOF on the FIFO');
    return {read, end: await within(ended, 'exit of the gate')};
  }

  it('holds the program back until released', async () => {
    const file = fifo();
    const marker = path.join(dir, `marker-${serial}`);
    const {child, ended} = await start([file, 'sh', '-c', 'echo ran > "$1"', 'sh', marker]);
    await sleep(200);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
    expect(existsSync(marker)).toBe(false);
    await blockedInOpen(child.pid!);

    // And the same gate does run it once released: the check above is not vacuous.
    expect(await within(release(file).read, 'EOF on the FIFO')).toHaveLength(0);
    expect((await within(ended, 'exit of the program')).code).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
  });

  it('on release runs PROGRAM through PATH in its own pid, argv and environment kept; the reader gets EOF and no bytes', async () => {
    const file = fifo();
    const script = 'printf "%s|%s|%s|%s|" "$0" "$1" "$$" "$GATE_TEST_VAR"; tr "\\0" " " < /proc/$$/cmdline; read _; exit 7';
    const {child, ended} = await start([file, 'sh', '-c', script, 'zero', 'one two'], {PATH, GATE_TEST_VAR: 'kept as is'});
    await blockedInOpen(child.pid!);
    const read = await within(release(file).read, 'EOF on the FIFO');
    expect(read).toHaveLength(0);
    // EOF came at the exec, not at the program's end: the FIFO's write end was close-on-exec.
    expect(child.exitCode).toBeNull();
    child.stdin!.end();
    const end = await within(ended, 'exit of the program');
    expect(end.code).toBe(7);
    expect(end.signal).toBeNull();
    expect(end.stderr).toBe('');
    expect(end.stdout).toBe(`zero|one two|${child.pid}|kept as is|sh -c ${script} zero one two `);
  });

  it('is released the same way when the supervisor opens the FIFO before the gate does', async () => {
    const file = fifo();
    const {socket, read} = release(file);
    let ended = false;
    socket.on('end', () => (ended = true));
    // A reader with no writer yet must not see EOF: the gate has not opened its end.
    await sleep(200);
    expect(ended).toBe(false);
    const gated = await start([file, 'sh', '-c', 'echo $$']);
    expect(await within(read, 'EOF on the FIFO')).toHaveLength(0);
    const end = await within(gated.ended, 'exit of the program');
    expect(end.code).toBe(0);
    expect(end.stdout).toBe(`${gated.child.pid}\n`);
  });

  it('tells a program not found as ENOENT, in 4 bytes and on stderr, and exits 127', async () => {
    const empty = subdir();
    const missing = await failure('sidecar-gate-no-such-program', {PATH: `${empty}:${PATH}`});
    expect(missing.read).toHaveLength(4);
    expect(missing.read.readInt32LE(0)).toBe(ENOENT);
    expect(missing.end.code).toBe(127);
    expect(missing.end.signal).toBeNull();
    expect(missing.end.stderr).toBe('exec sidecar-gate-no-such-program failed: No such file or directory\n');

    const withSlash = await failure(path.join(empty, 'no-such-program'));
    expect(withSlash.read).toHaveLength(4);
    expect(withSlash.read.readInt32LE(0)).toBe(ENOENT);
    expect(withSlash.end.code).toBe(127);
  });

  it('tells a file that is not executable as EACCES, through PATH or by path, even when a later PATH entry has none', async () => {
    const withFile = subdir();
    const empty = subdir();
    const name = 'sidecar-gate-not-executable';
    writeFileSync(path.join(withFile, name), '#!/bin/sh\necho ran\n', {mode: 0o644});
    chmodSync(path.join(withFile, name), 0o644);

    for (const [program, env] of [
      [name, {PATH: withFile}],
      [path.join(withFile, name), {PATH}],
      [name, {PATH: `${withFile}:${empty}`}],
      [name, {PATH: `${empty}:${withFile}:${empty}`}],
    ] as const) {
      const {read, end} = await failure(program, env);
      expect(read, `${program} with PATH=${env.PATH}`).toHaveLength(4);
      expect(read.readInt32LE(0), `${program} with PATH=${env.PATH}`).toBe(EACCES);
      expect(end.code).toBe(126);
      expect(end.stderr).toBe(`exec ${program} failed: Permission denied\n`);
    }
  });

  it('runs a file with no #! line under /bin/sh, with its arguments, as execvp does', async () => {
    const dir = subdir();
    const name = 'sidecar-gate-no-shebang';
    writeFileSync(path.join(dir, name), 'echo "plain script $0 $1"\n', {mode: 0o755});
    chmodSync(path.join(dir, name), 0o755);
    for (const program of [name, path.join(dir, name)]) {
      const file = fifo();
      const {child, ended} = await start([file, program, 'one'], {PATH: `${dir}:${PATH}`});
      await blockedInOpen(child.pid!);
      expect(await within(release(file).read, 'EOF on the FIFO')).toHaveLength(0);
      const end = await within(ended, 'exit of the script');
      expect(end.code).toBe(0);
      expect(end.stdout).toBe(`plain script ${path.join(dir, name)} one\n`);
    }
  });

  it('goes on past a file it may not run to one it may, later in PATH, as execvp does', async () => {
    const first = subdir();
    const second = subdir();
    const name = 'sidecar-gate-twice';
    writeFileSync(path.join(first, name), '#!/bin/sh\necho first\n', {mode: 0o644});
    chmodSync(path.join(first, name), 0o644);
    writeFileSync(path.join(second, name), '#!/bin/sh\necho second\n', {mode: 0o755});
    chmodSync(path.join(second, name), 0o755);
    const file = fifo();
    const {child, ended} = await start([file, name], {PATH: `${first}:${second}:${PATH}`});
    await blockedInOpen(child.pid!);
    expect(await within(release(file).read, 'EOF on the FIFO')).toHaveLength(0);
    const end = await within(ended, 'exit of the program');
    expect(end.code).toBe(0);
    expect(end.stdout).toBe('second\n');
  });

  it('dies of SIGTERM before the release', async () => {
    const file = fifo();
    const {child, ended} = await start([file, 'sh', '-c', 'exit 0']);
    await blockedInOpen(child.pid!);
    child.kill('SIGTERM');
    const end = await within(ended, 'exit of the gate');
    expect(end.signal).toBe('SIGTERM');
    expect(end.code).toBeNull();
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('with fewer than two arguments says its usage and exits 127, opening nothing', async () => {
    for (const args of [[], [fifo()]]) {
      const {ended} = await start(args);
      const end = await within(ended, `exit of the gate with ${args.length} arguments`);
      expect(end.code).toBe(127);
      expect(end.stderr).toMatch(/^usage: gate FIFO PROGRAM \[ARG\.\.\.\]\n$/);
      expect(end.stdout).toBe('');
    }
  });

  it('is a small static ELF with no interpreter and no segment both writable and executable', () => {
    expect(bytes.length).toBeGreaterThan(64);
    expect(bytes.length).toBeLessThan(4096);
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(bytes[4]).toBe(2); // ELFCLASS64
    expect(bytes.readUInt16LE(18)).toBe(62); // EM_X86_64

    let headers: string;
    try {
      headers = execFileSync('readelf', ['-lW', gate], {encoding: 'utf8', env: {PATH, LC_ALL: 'C'}});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // no readelf here: the bytes above are all we check
      throw error;
    }
    const segments = headers
      .split('\n')
      .map((line) => line.match(/^\s+([A-Z_]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+([RWE ]{3})\s+0x[0-9a-f]+\s*$/))
      .filter((match): match is RegExpMatchArray => match !== null)
      .map((match) => ({type: match[1], flags: match[2]}));
    expect(segments.filter((segment) => segment.type === 'LOAD').length).toBeGreaterThan(0);
    expect(segments.map((segment) => segment.type)).not.toContain('INTERP');
    expect(segments.map((segment) => segment.type)).not.toContain('DYNAMIC');
    const writableCode = segments.filter((segment) => segment.flags.includes('W') && segment.flags.includes('E'));
    expect(writableCode).toEqual([]);
  });
});
