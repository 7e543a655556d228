import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'vitest';

// A second local user for the socket-squatting attack; .ci/engines.sh creates it
// in CI. The tests run as root and act as that user through setpriv.
export const CHAOS_USER = 'sidecar-chaos';

function ensureUser(): string | undefined {
  try {
    execFileSync('id', ['-u', CHAOS_USER], {stdio: 'ignore'});
    return undefined;
  } catch {
    // Missing: create it below.
  }
  if (process.getuid?.() !== 0) return `not root, and user ${CHAOS_USER} does not exist`;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', CHAOS_USER], {stdio: 'ignore'});
    return undefined;
  } catch (error) {
    return `useradd ${CHAOS_USER} failed: ${(error as Error).message}`;
  }
}

const missing = ensureUser();

// Runs only with a second user; without one it skips with a message locally and FAILS under CI=true.
export function describeWithSecondUser(name: string, body: () => void): void {
  if (!missing) describe(name, body);
  else if (process.env.CI) {
    describe(name, () => {
      it(`needs the local user ${CHAOS_USER} under CI=true`, () => {
        throw new Error(`${missing}; run .ci/engines.sh`);
      });
    });
  } else {
    console.warn(`[chaos] skipped "${name}": ${missing}`);
    describe.skip(name, body);
  }
}

export function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], {encoding: 'utf8'}).trim());
}

export interface Squatter {
  process: ChildProcess;
  // Kills the squatter and removes what it left (its socket, its work dir).
  remove(): void;
  // Everything any client sent to the squatter's socket.
  received(): string;
}

// A listener owned by the second user on `socketPath`: it records what it gets
// and answers every line with lies full of terminal escapes.
export async function squat(socketPath: string): Promise<Squatter> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sidecar-squatter-'));
  chmodSync(work, 0o777);
  const log = path.join(work, 'received.log');
  writeFileSync(log, '');
  chmodSync(log, 0o666);
  const script = path.join(work, 'squatter.cjs');
  writeFileSync(
    script,
    `const net = require('node:net'); const fs = require('node:fs');
const lie = '\\u001b]0;pwned\\u0007\\u001b[2J';
net.createServer((s) => s.on('data', (d) => {
  fs.appendFileSync(${JSON.stringify(log)}, d);
  s.write(JSON.stringify({type: 'result', result: {pid: 1, project: lie, runtime: 'process', dir: '/', phase: 'ready', supervisor: {pid: 1}, services: []}}) + '\\n');
  s.write(JSON.stringify({type: 'error', error: {code: 'SIDECAR_STACK_FAILED', message: lie + 'all good'}}) + '\\n');
  s.end();
})).listen(${JSON.stringify(socketPath)}, () => { fs.chmodSync(${JSON.stringify(socketPath)}, 0o777); console.log('listening'); });
`,
  );
  chmodSync(script, 0o644);
  const child = spawn('setpriv', [`--reuid=${CHAOS_USER}`, `--regid=${CHAOS_USER}`, '--clear-groups', process.execPath, script], {stdio: ['ignore', 'pipe', 'inherit']});
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`squatter exited with ${code}`)));
  });
  const remove = (): void => {
    child.kill('SIGKILL');
    rmSync(socketPath, {force: true});
    rmSync(work, {recursive: true, force: true});
  };
  return {process: child, remove, received: () => readFileSync(log, 'utf8')};
}
