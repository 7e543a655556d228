import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, eventually, project, survivors, type Project} from '../integration/cli/cli-harness.js';
import {commandLine, timedCli} from './host-chaos-harness.js';

// Issue 9.5: five concurrent `up -d` in one directory started five supervisors,
// all exited 0, and `down` stopped one of them. One stack per project directory
// (as Compose has one project per name): a lock held for the stack's life; the
// other `up`s join the running stack or fail with a clear error.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await timedCli(p, ['down', '--timeout', '1s']);
});

describe('chaos: concurrent up -d in one directory', () => {
  it('five at once give exactly one supervisor and one set of services; one down stops everything', async () => {
    const p = project(`version: 1
name: racing
app:
  command: [node, \${PROGRAMS}/forever.js, app]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
sidecars:
  helper:
    command: [node, \${PROGRAMS}/forever.js, helper]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 1s
`);
    live.push(p);
    const ups = await Promise.all(Array.from({length: 5}, () => timedCli(p, ['up', '-d', '--runtime', 'process'], 90_000)));
    for (const up of ups) {
      expect(up.timedOut).toBe(false);
      // Joined (0) or refused with a clear error (5): never a second stack.
      if (up.exitCode !== 0) expect(up.all).toMatch(/SIDECAR_ALREADY_RUNNING|already running/);
    }
    expect(ups.filter((u) => u.exitCode === 0).length).toBeGreaterThanOrEqual(1);
    const running = await eventually(() => {
      const pids = survivors(p.mark);
      const lines = pids.map(commandLine);
      const apps = lines.filter((l) => l.includes('forever.js app')).length;
      const helpers = lines.filter((l) => l.includes('forever.js helper')).length;
      return apps >= 1 && helpers >= 1 ? {lines, apps, helpers} : undefined;
    }, 20_000, 'the stack running');
    // Give a second supervisor (if any) the time to start its own services.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const lines = survivors(p.mark).map(commandLine);
    console.log(`after 5 concurrent up -d: ${lines.filter((l) => l.includes('supervisor')).length} supervisor(s), exit codes ${ups.map((u) => u.exitCode).join(',')}`);
    expect(lines.filter((l) => l.includes('supervisor')).length).toBe(1);
    expect(lines.filter((l) => l.includes('forever.js app')).length).toBe(1);
    expect(lines.filter((l) => l.includes('forever.js helper')).length).toBe(1);
    expect(running.apps).toBe(1);

    const down = await timedCli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });
});
