import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, eventually, freePort, project, survivors, type Project} from '../integration/cli/cli-harness.js';
import {existsSync, writeFileSync} from 'node:fs';
import {projectFiles} from '../../src/host/project-files.js';
import {tryLock} from '../../src/host/project-lock.js';
import {isSameProcess} from '../../src/runtime/process/process-start-time.js';
import {commandLine, supervisorPid, timedCli} from './host-chaos-harness.js';

// Issue 8.2 / 9.5 audit: `down` while `up` starts, and `up` while `down` runs,
// each end in one stack or none, never an orphan (a supervisor or a service no
// command can reach). Compose serialises these per project; so do we, with the
// project lock and by waiting for a starting or stopping stack to settle.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await timedCli(p, ['down', '--timeout', '1s']);
});

async function slowStarter(): Promise<Project> {
  const port = await freePort();
  const p = project(`version: 1
name: racing
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "${port}", NAME: app, READY_DELAY_MS: "1500", SIDECAR_TEST_MARK: "\${MARK}"}
  health: {http: {port: ${port}, path: /healthz}, interval: 100ms}
  stopTimeout: 1s
`);
  live.push(p);
  return p;
}

const supervisors = (p: Project): number => survivors(p.mark).map(commandLine).filter((l) => l.includes('supervisor')).length;

describe('chaos: up and down racing in one directory', () => {
  it('down while up --wait starts: nothing is left running, whichever wins', async () => {
    const p = await slowStarter();
    const up = timedCli(p, ['up', '--wait', '--runtime', 'process'], 90_000);
    // Once the supervisor has said where it is (before its first service starts; the
    // app takes 1.5 s more to be ready), not after a fixed 300 ms: on a loaded machine
    // `down` could come before `up` held the project, find nothing, and leave the stack.
    await eventually(() => existsSync(projectFiles(p.dir).supervisor), 60_000, 'up has a supervisor');
    const down = await timedCli(p, ['down'], 90_000);
    const upResult = await up;
    expect(down.timedOut || upResult.timedOut).toBe(false);
    console.log(`down while up starts: down ${down.exitCode} in ${down.ms}ms, up ${upResult.exitCode} in ${upResult.ms}ms: ${upResult.all.trim().split('\n')[0]}`);
    expect(down.exitCode, down.all).toBe(0);
    // `up` either finished first (0) or saw its stack stopped under it (5): never a hang, never a leftover.
    expect([0, 5]).toContain(upResult.exitCode);
    await eventually(() => survivors(p.mark).length === 0, 15_000, 'nothing left');
  });

  it('up -d while down runs: one stack afterwards, reachable, and one down stops it', async () => {
    const p = await slowStarter();
    expect((await timedCli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const down = timedCli(p, ['down'], 90_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const up = await timedCli(p, ['up', '--wait', '--runtime', 'process'], 90_000);
    expect((await down).exitCode).toBe(0);
    expect(up.exitCode, up.all).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(supervisors(p)).toBe(1);
    const ps = await timedCli(p, ['ps', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    expect(JSON.parse(ps.all.slice(ps.all.indexOf('{'))).services[0]).toMatchObject({state: 'running', health: 'healthy'});
    expect((await timedCli(p, ['down'])).exitCode).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 15_000, 'nothing left');
  });
});

describe('chaos: down cleaning up after a stack that another up replaced', () => {
  it('down never removes the files of the stack that took the project once the one it stopped exited', async () => {
    const p = await slowStarter();
    expect((await timedCli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const files = projectFiles(p.dir);
    const first = supervisorPid(p);
    const down = timedCli(p, ['down'], 90_000);
    // The moment the stopped supervisor is gone, a new `up` takes the project
    // and hands its supervisor a manifest (as prepare-up/spawn-supervisor do).
    const deadline = Date.now() + 60_000;
    while (isSameProcess(first, undefined) && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    let attempt = tryLock(files, 'up');
    while (!('lock' in attempt) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      attempt = tryLock(files, 'up');
    }
    if (!('lock' in attempt)) throw new Error(`the project lock never came free: held by ${JSON.stringify(attempt.heldBy)}`);
    try {
      writeFileSync(files.manifest, '{"the":"next stack"}\n');
      expect((await down).exitCode).toBe(0);
      expect(existsSync(files.manifest)).toBe(true);
    } finally {
      attempt.lock.release();
    }
  });
});
