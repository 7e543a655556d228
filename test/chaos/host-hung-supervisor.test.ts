import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, eventually, project, survivors, type Project} from '../integration/cli/cli-harness.js';
import {isStopped, supervisorPid, timedCli} from './host-chaos-harness.js';

// Issue 9.3: a supervisor that is stopped (SIGSTOP) or busy must not hang the
// commands that talk to it; `down` kills it (it is ours: pid + start time) and
// reaps the stack, as systemd escalates to SIGKILL when a stop times out.
const live: Array<{p: Project; pid?: number}> = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const {p, pid} of live.splice(0)) {
    if (pid) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Gone already.
      }
    }
    await timedCli(p, ['down', '--timeout', '1s']);
  }
});

describe('chaos: a SIGSTOPped supervisor', () => {
  it('ps, logs, events, up and down return within their deadline; down kills and reaps the stack', async () => {
    const p = project(`version: 1
name: frozen
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 2s
sidecars:
  helper:
    command: [node, \${PROGRAMS}/forever.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 2s
`);
    const entry: {p: Project; pid?: number} = {p};
    live.push(entry);
    const up = await timedCli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const pid = supervisorPid(p);
    entry.pid = pid;
    await eventually(() => survivors(p.mark).length >= 3, 10_000, 'supervisor, app and helper');
    process.kill(pid, 'SIGSTOP');
    await eventually(() => isStopped(pid), 5000, 'supervisor stopped');

    // Each command gives up on its own (the ceiling here is only the test's safety net).
    for (const args of [['ps'], ['logs'], ['logs', '-f'], ['events'], ['up', '-d', '--runtime', 'process']]) {
      const result = await timedCli(p, args, 60_000);
      console.log(`SIGSTOPped supervisor: ${args.join(' ')} -> exit ${result.exitCode} in ${result.ms}ms`);
      expect(result.timedOut, `${args.join(' ')} hung`).toBe(false);
      expect(result.exitCode, result.all).toBe(5);
      expect(result.all).toMatch(new RegExp(`supervisor \\(pid ${pid}\\) does not answer`));
      expect(result.all).toContain('sidecar down');
    }

    const down = await timedCli(p, ['down'], 60_000);
    expect(down.timedOut, 'down hung').toBe(false);
    console.log(`SIGSTOPped supervisor: down -> exit ${down.exitCode} in ${down.ms}ms`);
    expect(down.exitCode, down.all).toBe(0);
    // hello deadline + stopTimeout (2s) + a few seconds, generous under load.
    expect(down.ms).toBeLessThan(30_000);
    expect(survivors(p.mark)).toEqual([]);
  });
});
