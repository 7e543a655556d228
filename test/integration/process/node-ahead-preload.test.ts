import {type ChildProcess, spawn, type StdioOptions} from 'node:child_process';
import {closeSync, mkdtempSync, openSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Duplex} from 'node:stream';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {within as withinMs} from '../../helpers/until.js';

// Issue 13.1: a Node service made ahead starts up and waits in bin/node-ahead.js,
// preloaded through NODE_OPTIONS, before any of its code runs. Pinned on real
// processes running the real preload: its code runs only after `go` on fd 3, with
// the environment as the user gave it (so what it starts does not wait too) and fd
// 3 closed; the socket's end with nothing on it ends the process, exit 0, having
// run nothing; with no socket on fd 3 the program runs at once.
const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/node-ahead.js');
const DEADLINE_MS = 5000;
// Node starts up in ~50 ms here: a program not held back prints well within this.
const HELD_MS = 400;

// What the program sees when its code runs, on one line of stdout.
const REPORT = `
const fs = require('fs');
let fd3 = null;
try { fd3 = fs.readlinkSync('/proc/self/fd/3'); } catch {}
console.log(JSON.stringify({NODE_OPTIONS: process.env.NODE_OPTIONS ?? null, goFd: process.env.SIDECAR_GO_FD ?? null, was: process.env.SIDECAR_NODE_OPTIONS_WAS ?? null, fd3}));
`;

interface Seen {
  NODE_OPTIONS: string | null;
  goFd: string | null;
  was: string | null;
  fd3: string | null;
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const within = <T>(promise: Promise<T>, what: string, ms = DEADLINE_MS): Promise<T> => withinMs(promise, what, ms);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// The environment of this test without anything of the feature's, plus `extra`.
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env};
  delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith('SIDECAR_')) delete env[key];
  return {...env, ...extra};
}

const made = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => envWith({NODE_OPTIONS: `--require=${PRELOAD}`, SIDECAR_GO_FD: '3', ...extra});

describe.runIf(process.platform === 'linux')('the Node preload of a service made ahead (bin/node-ahead.js)', () => {
  const children: ChildProcess[] = [];
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-node-ahead-'));
  });

  afterEach(() => {
    for (const child of children.splice(0)) {
      (child.stdio[3] as Duplex | null | undefined)?.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  afterAll(() => {
    if (dir) rmSync(dir, {recursive: true, force: true});
  });

  function run(program: string, env: NodeJS.ProcessEnv, stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'pipe']) {
    const child = spawn(process.execPath, ['-e', program], {env, stdio});
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const fd3 = child.stdio[3] as Duplex | null | undefined;
    // Go to one that has ended (EPIPE) is seen as its exit.
    fd3?.on('error', () => undefined);
    let closed = false;
    const ended = new Promise<Ended>((resolve) =>
      child.once('close', (code, signal) => {
        closed = true;
        resolve({code, signal});
      }),
    );
    // Its first line of stdout; 'close' comes once all of its output is read.
    const printed = async (): Promise<string> => {
      const deadline = Date.now() + DEADLINE_MS;
      while (!stdout.includes('\n')) {
        if (closed) throw new Error(`ended having printed nothing; stderr: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`nothing printed within ${DEADLINE_MS} ms; stderr: ${stderr}`);
        await sleep(10);
      }
      return stdout;
    };
    return {child, fd3, ended, printed, stdout: () => stdout, stderr: () => stderr};
  }

  const alive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;
  const seen = (stdout: string): Seen => JSON.parse(stdout.split('\n')[0]!) as Seen;
  const notSocket = (fd3: string | null): boolean => fd3 === null || !fd3.startsWith('socket:');

  it('runs no code of the program until go, then runs it with NODE_OPTIONS unset, no variable of ours, fd 3 closed', async () => {
    const {child, fd3, ended, printed, stdout, stderr} = run(REPORT, made());
    await sleep(HELD_MS);
    expect(stdout()).toBe('');
    expect(stderr()).toBe('');
    expect(alive(child)).toBe(true);
    fd3!.end('go\n');
    expect(seen(await printed())).toEqual({NODE_OPTIONS: null, goFd: null, was: null, fd3: null});
    expect(await within(ended, 'exit')).toEqual({code: 0, signal: null});
    expect(stderr()).toBe('');
  }, 20_000);

  it('gives the program back the NODE_OPTIONS it was given', async () => {
    const {child, fd3, ended, printed, stdout} = run(REPORT, made({NODE_OPTIONS: `--require=${PRELOAD} --max-old-space-size=96`, SIDECAR_NODE_OPTIONS_WAS: '--max-old-space-size=96'}));
    await sleep(HELD_MS);
    expect(stdout()).toBe('');
    expect(alive(child)).toBe(true);
    fd3!.end('go\n');
    const report = seen(await printed());
    expect(report).toEqual({NODE_OPTIONS: '--max-old-space-size=96', goFd: null, was: null, fd3: report.fd3});
    expect(notSocket(report.fd3)).toBe(true);
    expect(await within(ended, 'exit')).toEqual({code: 0, signal: null});
  }, 20_000);

  it('ends, exit 0, having run nothing, when the socket ends with nothing on it', async () => {
    const {child, fd3, ended, stdout, stderr} = run(`${REPORT}; require('fs').writeFileSync(2, 'ran\\n');`, made());
    await sleep(HELD_MS);
    expect(alive(child)).toBe(true);
    fd3!.end();
    expect(await within(ended, 'exit after the socket ended')).toEqual({code: 0, signal: null});
    expect(stdout()).toBe('');
    expect(stderr()).toBe('');
  }, 20_000);

  it('runs the program at once, its environment cleaned, with no fd 3', async () => {
    const {printed, ended} = run(REPORT, made({NODE_OPTIONS: `--require=${PRELOAD} --max-old-space-size=96`, SIDECAR_NODE_OPTIONS_WAS: '--max-old-space-size=96'}), ['ignore', 'pipe', 'pipe']);
    const report = seen(await printed());
    expect(report).toEqual({NODE_OPTIONS: '--max-old-space-size=96', goFd: null, was: null, fd3: report.fd3});
    // Node's own first fd (an epoll) is there now: never a socket.
    expect(notSocket(report.fd3)).toBe(true);
    expect(await within(ended, 'exit')).toEqual({code: 0, signal: null});
  }, 20_000);

  it('runs the program at once, its environment cleaned, with a regular file on fd 3, left open', async () => {
    const file = path.join(dir, 'fd3-file');
    const fd = openSync(file, 'w');
    try {
      const {printed, ended} = run(REPORT, made(), ['ignore', 'pipe', 'pipe', fd]);
      expect(seen(await printed())).toEqual({NODE_OPTIONS: null, goFd: null, was: null, fd3: file});
      expect(await within(ended, 'exit')).toEqual({code: 0, signal: null});
    } finally {
      closeSync(fd);
    }
  }, 20_000);

  it('what the program starts after go does not wait: the environment was restored before its code ran', async () => {
    // The grandchild gets a socket on its fd 3 too, from which no go ever comes:
    // given the preload's variables, it would wait there until killed.
    const startsOne = `
const {spawn} = require('child_process');
const child = spawn(process.execPath, ['-e', "console.log('child ran')"], {env: process.env, stdio: ['ignore', 'pipe', 'inherit', 'pipe']});
let out = '';
child.stdout.on('data', (chunk) => (out += chunk));
const timer = setTimeout(() => { console.log(JSON.stringify({out, waited: true})); child.kill('SIGKILL'); process.exit(3); }, ${DEADLINE_MS});
child.on('close', (code) => { clearTimeout(timer); console.log(JSON.stringify({out, code})); });
`;
    const {child, fd3, ended, printed, stdout} = run(startsOne, made());
    await sleep(HELD_MS);
    expect(stdout()).toBe('');
    expect(alive(child)).toBe(true);
    const said = Date.now();
    fd3!.end('go\n');
    expect(JSON.parse((await printed()).split('\n')[0]!)).toEqual({out: 'child ran\n', code: 0});
    expect(Date.now() - said).toBeLessThan(DEADLINE_MS);
    expect(await within(ended, 'exit')).toEqual({code: 0, signal: null});
  }, 20_000);
});
