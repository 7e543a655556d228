import {chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {appAndSidecar, cli, eventually, processesIn, project, root, survivors, trackProjects} from '../integration/cli/cli-harness.js';

// bin/up.sh checks .sidecar/, then makes its FIFO and opens supervisor.log in
// the background. In a project directory others may write, .sidecar/ can be
// swapped for a link to theirs between the check and the open, where a shell's
// `>>` follows a link (found by review). Here the swap is made at the worst
// moment, by a stand-in for mkfifo: nothing may be created or written through
// the link, and no supervisor may be left waiting.
const track = trackProjects();

describe('attacks on `up` started from the shell (bin/up.sh)', () => {
  it('.sidecar swapped for a link just before the FIFO is made: nothing is written through it', async () => {
    await swapAttack('sh-swap', '');
  });

  // CI found the run above leaving a process of ours behind: the CLI's SIGTERM
  // reached the shell that starts the supervisor while it waited for mkfifo, so
  // the shell died and mkfifo went on, to init, and made its FIFO. Here mkfifo is
  // slow on purpose, so the CLI's word always lands then: `up` may return only
  // once all it started has ended, and nothing may be left.
  it('the CLI ends the shell that starts the supervisor while its mkfifo runs: nothing outlives `up`', async () => {
    await swapAttack('sh-swap-slow', 'sleep 0.5\n');
  });
});

async function swapAttack(name: string, beforeMkfifo: string): Promise<void> {
  const p = track(project(appAndSidecar(name)));
  expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
  expect((await cli(p, ['down'])).exitCode).toBe(0);
  // The attacker's directory: supervisor.log there is a link to a file that does not exist yet.
  const theirs = path.join(p.dir, 'theirs');
  mkdirSync(theirs);
  const victim = path.join(p.dir, 'victim-file');
  symlinkSync(victim, path.join(theirs, 'supervisor.log'));
  const fakeBin = path.join(p.dir, 'fake-bin');
  mkdirSync(fakeBin);
  const realMkfifo = ['/usr/bin/mkfifo', '/bin/mkfifo'].find((file) => existsSync(file))!;
  // Moves the real .sidecar away (it stays ours) and puts the link in its place, then makes the FIFO as asked.
  writeFileSync(path.join(fakeBin, 'mkfifo'), `#!/bin/sh\nmv "${p.dir}/.sidecar" "${p.dir}/.sidecar-moved"\nln -s "${theirs}" "${p.dir}/.sidecar"\n${beforeMkfifo}exec ${realMkfifo} "$@"\n`);
  chmodSync(path.join(fakeBin, 'mkfifo'), 0o755);
  const up = await execa(path.join(root, 'bin/run.js'), ['up', '--wait', '--runtime', 'process'], {cwd: p.dir, env: {...p.env, PATH: `${fakeBin}:${process.env.PATH}`}, reject: false, all: true, timeout: 60_000});
  // Node refuses the linked .sidecar as ever (exit 2), and nothing went through the link.
  expect(up.exitCode, up.all).toBe(2);
  expect(up.all).toContain('symlink');
  expect(existsSync(victim)).toBe(false);
  expect(readdirSync(theirs)).toEqual(['supervisor.log']);
  await eventually(() => processesIn(p.dir, '--handover=handover-').length === 0, 10_000, 'no supervisor left waiting');
  expect(survivors(p.mark)).toEqual([]);
  // Nor a FIFO: the shell removes the one it made once told it is not needed.
  expect(readdirSync(path.join(p.dir, '.sidecar-moved')).filter((entry) => entry.startsWith('handover-'))).toEqual([]);
}
