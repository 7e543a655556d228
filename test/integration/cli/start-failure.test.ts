import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {waitFor} from '../conformance/suite.js';
import {cli, ensureBuilt, project, survivors, type Project} from './cli-harness.js';

// Issue 8 point 6: `up --wait` / `up -d` report a failed start once, with the
// cause from this run (never older supervisor.log lines), as foreground `up` does.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;

function expectOneCleanFailure(result: {exitCode?: number; stderr: string; all?: string}, cause: string): void {
  expect(result.exitCode, result.all).toBe(5);
  expect(occurrences(result.stderr, 'SIDECAR_STACK_FAILED'), result.stderr).toBe(1);
  expect(occurrences(result.stderr, cause), result.stderr).toBe(1);
  // No dump of the supervisor's own log, no "completed" for a stack that never started.
  expect(result.stderr).not.toMatch(/supervisor\[\d+\]/);
  expect(result.stderr).not.toContain('completed');
  expect(result.stderr).not.toContain('code 0');
}

describe('a failed detached start', () => {
  it('a failing init job gives the same one message on every try', async () => {
    const p = project(`version: 1
name: failing
init:
  migrate:
    command: [sh, -c, "echo migrating; echo boom >&2; exit 3"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
`);
    live.push(p);
    for (let i = 0; i < 3; i++) {
      const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
      expectOneCleanFailure(up, 'init "migrate" failed: exited with code 3');
      expect(up.stderr).toContain('boom');
    }
    const detached = await cli(p, ['up', '-d', '--runtime', 'process']);
    // -d may return before the init job ran (exit 0, `ps` tells); if the supervisor was gone first, the same one message.
    if (detached.exitCode !== 0) expectOneCleanFailure(detached, 'init "migrate" failed: exited with code 3');
    expect(readFileSync(path.join(p.dir, '.sidecar/supervisor.log'), 'utf8')).not.toContain('the app completed');
    // After `-d` returned 0 the init job may still be running (it is starting): its failure then stops everything.
    await waitFor(async () => survivors(p.mark).length === 0, 10_000);
    expect(survivors(p.mark)).toEqual([]);
  });

  // Found by a new user's trial: the fix said "see `sidecar logs`" where a larger
  // --timeout is the likely fix.
  it('up --wait --timeout that runs out suggests a longer --timeout', async () => {
    const p = project(`version: 1
name: slowpoke
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "0", READY_DELAY_MS: "60000", SIDECAR_TEST_MARK: "\${MARK}"}
  health: {tcp: {port: 1}}
  stopTimeout: 1s
`);
    live.push(p);
    const result = await cli(p, ['up', '--wait', '--runtime', 'process', '--timeout', '1s']);
    expect(result.exitCode, result.all).toBe(5);
    expect(result.stderr).toContain('not ready within 1s (--timeout)');
    expect(result.stderr).toContain('fix: give it longer (--timeout 2s), or see `sidecar logs app` for what it waits on');
    expect(await waitFor(async () => survivors(p.mark).length === 0, 10_000)).toBe(true);
    // Found by a new user's trial: --timeout 0s was told to give it "longer (--timeout 0s)".
    const none = await cli(p, ['up', '--wait', '--runtime', 'process', '--timeout', '0s']);
    expect(none.exitCode, none.all).toBe(5);
    expect(none.stderr).toContain('fix: give it longer (--timeout 1m)');
    expect(await waitFor(async () => survivors(p.mark).length === 0, 10_000)).toBe(true);
  });

  it('a workdir that does not exist is a start failure naming the path', async () => {
    const p = project(`version: 1
name: nowhere
app:
  command: [node, \${PROGRAMS}/forever.js]
  workdir: ./no-such-dir
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
`);
    live.push(p);
    for (let i = 0; i < 2; i++) {
      const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
      expectOneCleanFailure(up, `${path.join(p.dir, 'no-such-dir')} does not exist`);
      // The fix is the runtime's (the service never ran: no log lines to see, no command or probe to check).
      expect(up.stderr).toContain(`fix: create ${path.join(p.dir, 'no-such-dir')}, or fix \`workdir\` of app`);
      expect(up.stderr).not.toMatch(/printed nothing|sidecar logs app/);
    }
    expect(survivors(p.mark)).toEqual([]);
  });
});
