import {readFileSync} from 'node:fs';
import {constants} from 'node:os';
import {describe, expect, it} from 'vitest';
import {cli, eventually, project, survivors, trackProjects, type Project} from './cli-harness.js';

// Findings of a new user's trial of `exec` (process runtime), through the built CLI.
const track = trackProjects();

const stack = async (): Promise<Project> => {
  const p = track(
    project(`version: 1
name: execsig
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
`),
  );
  const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
  expect(up.exitCode, up.all).toBe(0);
  return p;
};

// The test's processes running `sleep <seconds>` (the services carry the mark too).
const sleeping = (p: Project, seconds: string): number[] =>
  survivors(p.mark).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() === `sleep ${seconds}`;
    } catch {
      return false;
    }
  });

// What a shell's $? says of the CLI: its code, or 128 + the signal it died of.
const status = (result: {exitCode?: number; signal?: string}): number | undefined =>
  result.exitCode ?? (result.signal ? 128 + constants.signals[result.signal as NodeJS.Signals] : undefined);

const sh = (script: string): string[] => ['exec', 'app', '--', 'sh', '-c', script];

describe('exec', () => {
  // Found by a new user's trial: the command ran in the supervisor's process group,
  // and a SIGINT or SIGTERM to the CLI (or the CLI killed) left it running until `down`.
  it('a signal to the CLI, or the CLI gone, reaches the whole command, and nothing of it outlives the CLI', async () => {
    const p = await stack();
    const interrupted = cli(p, sh('sleep 771 & sleep 772; wait'));
    await eventually(() => sleeping(p, '772').length === 1, 30_000, 'the command to run');
    // process.kill, not execa's kill(), which would SIGKILL the CLI itself 5 s later.
    process.kill(interrupted.pid!, 'SIGINT');
    const onInt = await interrupted;
    expect(status(onInt), onInt.all).toBe(130);
    expect([...sleeping(p, '771'), ...sleeping(p, '772')]).toEqual([]);

    // A command that ignores SIGTERM: SIGKILL after the grace, before the CLI exits.
    const stubborn = cli(p, sh('trap "" TERM INT; sleep 773'));
    await eventually(() => sleeping(p, '773').length === 1, 30_000, 'the command to run');
    process.kill(stubborn.pid!, 'SIGTERM');
    const onTerm = await stubborn;
    expect(status(onTerm), onTerm.all).toBe(143);
    expect(sleeping(p, '773')).toEqual([]);

    // The CLI SIGKILLed: its connection goes away, and so does the command.
    const killed = cli(p, sh('sleep 774 & sleep 775; wait'));
    await eventually(() => sleeping(p, '775').length === 1, 30_000, 'the command to run');
    process.kill(killed.pid!, 'SIGKILL');
    await killed;
    await eventually(() => [...sleeping(p, '774'), ...sleeping(p, '775')].length === 0, 10_000, 'nothing of the command left');
  }, 90_000);

  // Found by a new user's trial: a command killed by a signal made exec exit 1 with
  // execa's "Command was killed with SIGKILL (Forced termination)" on stderr.
  it('a command killed by a signal exits 128 + its number, as a shell says, with no error of sidecar', async () => {
    const p = await stack();
    const killed = await cli(p, sh('echo before; kill -9 $$'));
    expect(killed.exitCode, killed.all).toBe(137);
    expect(killed.stdout.trim()).toBe('before');
    expect(killed.stderr).toBe('');
    const terminated = await cli(p, sh('kill -TERM $$'));
    expect(terminated.exitCode, terminated.all).toBe(143);
    expect(terminated.stderr).toBe('');
  }, 60_000);
});
