import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, survivors, type Project} from '../integration/cli/cli-harness.js';

// Issue 9.8: a service that forks continuously left 1-2 children after the supervisor
// was SIGKILLed and `down` ran (5 of 5 trials): the reaper signalled a snapshot pid by pid.
// Kubernetes/containerd kill a pod's processes as a whole; so must we.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) {
    await cli(p, ['down', '--timeout', '1s']);
    for (const pid of survivors(p.mark)) process.kill(pid, 'SIGKILL');
  }
});

const TRIALS = 3;

function forker(): Project {
  const p = project(`version: 1
name: forker
app:
  command: [sh, -c, "while true; do sleep 1000 & sleep 0.005; done"]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
sidecars:
  helper:
    command: [sh, -c, "while true; do sleep 1000 & sleep 0.005; done"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 1s
`);
  live.push(p);
  return p;
}

async function upForking(p: Project): Promise<number> {
  const up = await cli(p, ['up', '-d', '--runtime', 'process']);
  expect(up.exitCode, up.all).toBe(0);
  // Many children already, and more every few milliseconds.
  await eventually(() => survivors(p.mark).length > 40, 20_000, 'the services to fork');
  return (JSON.parse(readFileSync(path.join(p.dir, '.sidecar/supervisor.json'), 'utf8')) as {pid: number}).pid;
}

describe('a service forking in a loop leaves nothing behind (issue 9.8)', () => {
  it(`after the supervisor is SIGKILLed, \`down\` leaves zero survivors (${TRIALS} trials)`, async () => {
    const left: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const p = forker();
      const supervisor = await upForking(p);
      process.kill(supervisor, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const down = await cli(p, ['down']);
      expect(down.exitCode, down.all).toBe(0);
      // Give anything that was missed time to show up.
      await new Promise((resolve) => setTimeout(resolve, 300));
      left.push(survivors(p.mark).length);
    }
    expect(left).toEqual(Array.from({length: TRIALS}, () => 0));
  });

  it(`\`down\` with the supervisor alive leaves zero survivors (${TRIALS} trials)`, async () => {
    const left: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const p = forker();
      await upForking(p);
      const down = await cli(p, ['down']);
      expect(down.exitCode, down.all).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      left.push(survivors(p.mark).length);
    }
    expect(left).toEqual(Array.from({length: TRIALS}, () => 0));
  });
});
