import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, expect, it} from 'vitest';
import {ensureBuilt, project, survivors, type Project} from '../integration/cli/cli-harness.js';
import {timedCli} from './host-chaos-harness.js';
import {CHAOS_USER, describeWithSecondUser, squat, uidOf, type Squatter} from './host-second-user.js';

// Issue 9.1: when `.sidecar/control.sock` is too long for a unix socket, the
// socket moved to a predictable /tmp/sidecar-<hash>.sock. Another user who
// created that path first got the manifest with its env (secrets), answered
// ps/logs/down with lies and escapes, and blocked `up`. Now the socket lives in
// a private 0700 directory (as systemd and containerd keep theirs under a
// private runtime dir) and clients verify the socket's owner and the
// supervisor's identity before sending a byte.
const live: Project[] = [];
const squatters: Squatter[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const s of squatters.splice(0)) s.remove();
  for (const p of live.splice(0)) {
    await timedCli(p, ['down', '--timeout', '1s']);
    // A stack no command can reach must not outlive the test.
    for (const pid of survivors(p.mark)) process.kill(pid, 'SIGKILL');
  }
});

const SECRET = 'hunter2-secret-value';

function deepProject(): Project {
  const p = project(
    `version: 1
name: deep
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}", API_TOKEN: ${SECRET}}
  stopTimeout: 1s
`,
    path.join('/tmp', 'a-rather-long-directory-name-'.repeat(3)),
  );
  live.push(p);
  return p;
}

describeWithSecondUser('chaos: another local user squats the control socket', () => {
  it('a socket pre-created at the old predictable path gets nothing, and up is not blocked', async () => {
    const p = deepProject();
    const predictable = path.join(os.tmpdir(), `sidecar-${createHash('sha256').update(p.dir).digest('hex').slice(0, 16)}.sock`);
    rmSync(predictable, {force: true});
    const squatter = await squat(predictable);
    squatters.push(squatter);
    expect(lstatSync(predictable).uid).toBe(uidOf(CHAOS_USER));

    const up = await timedCli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const ps = await timedCli(p, ['ps', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    expect(ps.all).toContain('"running"');
    expect(squatter.received()).toBe('');

    const {socket} = JSON.parse(readFileSync(path.join(p.dir, '.sidecar/supervisor.json'), 'utf8')) as {socket: string};
    expect(socket).not.toBe(predictable);
    const dir = lstatSync(path.dirname(socket));
    expect(dir.isDirectory() && !dir.isSymbolicLink()).toBe(true);
    expect(dir.uid).toBe(process.getuid!());
    expect(dir.mode & 0o777).toBe(0o700);
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    const down = await timedCli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(squatter.received()).toBe('');
    expect(survivors(p.mark)).toEqual([]);
    // The private directory goes with the stack.
    expect(existsSync(path.dirname(socket))).toBe(false);
  });

  it('a record pointing at a socket of another user is refused before anything is sent; nothing it says is printed', async () => {
    const p = deepProject();
    const up = await timedCli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const recordFile = path.join(p.dir, '.sidecar/supervisor.json');
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as {socket: string};
    const foreign = path.join(os.tmpdir(), `sidecar-squat-${process.pid}-${Date.now()}.sock`);
    const squatter = await squat(foreign);
    squatters.push(squatter);
    writeFileSync(recordFile, JSON.stringify({...record, socket: foreign}));

    for (const args of [['ps'], ['logs'], ['events'], ['up', '-d', '--runtime', 'process']]) {
      const result = await timedCli(p, args);
      expect(result.exitCode, `${args.join(' ')}: ${result.all}`).not.toBe(0);
      expect(result.all).toMatch(/not owned by you|another user/);
      expect(result.all).not.toContain('\u001b]0;pwned');
      expect(result.all).not.toContain('\u001b[2J');
    }
    expect(squatter.received()).toBe('');
    expect(squatter.received()).not.toContain(SECRET);

    // Put the record back: the real supervisor is still reachable and stops cleanly.
    writeFileSync(recordFile, JSON.stringify(record));
    const down = await timedCli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(squatter.received()).toBe('');
    expect(survivors(p.mark)).toEqual([]);
  });

  // The socket's directory in the project is `.sidecar`: the supervisor must make it
  // private before binding there, or refuse it. It used to bind in a world-writable
  // `.sidecar` that every client then refused: a stack no command could reach or stop.
  it('a world-writable .sidecar of ours is made private (0700) before the socket is bound; the stack is reachable', async () => {
    const p = project(`version: 1
name: opendir
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
`);
    live.push(p);
    mkdirSync(path.join(p.dir, '.sidecar'));
    chmodSync(path.join(p.dir, '.sidecar'), 0o777);
    const up = await timedCli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    expect(statSync(path.join(p.dir, '.sidecar')).mode & 0o777).toBe(0o700);
    const ps = await timedCli(p, ['ps', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    const down = await timedCli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('a .sidecar created first by another user is refused (exit 2, naming it): nothing starts, nothing is written in it', async () => {
    const p = project(`version: 1
name: theirdir
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}", API_TOKEN: ${SECRET}}
  stopTimeout: 1s
`);
    live.push(p);
    // A shared project directory: the other user gets there first.
    chmodSync(p.dir, 0o777);
    const state = path.join(p.dir, '.sidecar');
    execFileSync('setpriv', [`--reuid=${CHAOS_USER}`, `--regid=${CHAOS_USER}`, '--clear-groups', 'mkdir', '-m', '777', state]);
    expect(lstatSync(state).uid).toBe(uidOf(CHAOS_USER));
    const up = await timedCli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(2);
    expect(up.all).toContain(state);
    expect(up.all).toMatch(/another user/);
    expect(survivors(p.mark)).toEqual([]);
    expect(execFileSync('ls', ['-A', state], {encoding: 'utf8'})).toBe('');
    rmSync(state, {recursive: true, force: true});
  });
});
