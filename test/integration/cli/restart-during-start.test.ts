import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, eventually, project, survivors, trackProjects, type Project} from './cli-harness.js';

// New user's trial: `restart slow` while start-up waited for slow left the app
// `pending` for good, and `down` then failed after 35 s (exit 5) while the
// supervisor lived on. `restart SERVICE` restarts "without touching the others";
// start-up goes on once the restarted service is ready; `down` stops it all, at once.
const track = trackProjects();

// "slow" is ready once the test writes `go` in the project directory (its working directory).
function starting(): Project {
  return track(
    project(`version: 1
name: st
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 2s
sidecars:
  done:
    command: [sh, -c, "echo bye"]
    restart: never
  slow:
    command: [sh, -c, "until [ -e go ]; do sleep 0.05; done; echo ready; exec sleep 1000"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    health: {log: "^ready$"}
    stopTimeout: 2s
`),
  );
}

interface Ps {
  supervisor: {pid: number} | null;
  services: {name: string; state: string; pid: number | null; restarts: number}[];
}

async function ps(p: Project): Promise<Ps> {
  return JSON.parse((await cli(p, ['ps', '--json'])).stdout || '{"services": []}') as Ps;
}

const service = (status: Ps, name: string) => status.services.find((s) => s.name === name);

async function upStarting(p: Project): Promise<{supervisor: number; slowPid: number}> {
  const up = await cli(p, ['up', '-d', '--runtime', 'process']);
  expect(up.exitCode, up.all).toBe(0);
  const status = await eventually(async () => {
    const now = await ps(p);
    return service(now, 'slow')?.state === 'starting' && service(now, 'slow')?.pid ? now : undefined;
  }, 30_000, 'slow to start');
  return {supervisor: status.supervisor!.pid, slowPid: service(status, 'slow')!.pid!};
}

// Gone, or a zombie its new parent has not read yet (as in down-without-node.test.ts).
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

// `down` stops at once (well within slow's and the app's stopTimeout + 1s) and the supervisor is gone with it.
async function downPromptly(p: Project, supervisor: number): Promise<void> {
  const began = Date.now();
  const down = await cli(p, ['down']);
  expect(down.exitCode, down.all).toBe(0);
  expect(Date.now() - began).toBeLessThan(5000);
  expect(alive(supervisor)).toBe(false);
  expect(survivors(p.mark)).toEqual([]);
}

describe('restart while the stack starts (process runtime)', () => {
  it('of the sidecar start-up waits on: once it is ready the app starts, and `down` stops it all', async () => {
    const p = starting();
    const {supervisor, slowPid} = await upStarting(p);
    const restart = cli(p, ['restart', 'slow']);
    await eventually(async () => {
      const pid = service(await ps(p), 'slow')?.pid;
      return pid && pid !== slowPid;
    }, 10_000, 'slow to run again');
    writeFileSync(path.join(p.dir, 'go'), '');
    const restarted = await restart;
    expect(restarted.exitCode, restarted.all).toBe(0);
    expect(restarted.stdout).toBe('restarted slow');
    await eventually(async () => service(await ps(p), 'app')?.state === 'running', 10_000, 'the app to start');
    await downPromptly(p, supervisor);
  });

  it('of the sidecar start-up waits on, never ready: `down` stops everything promptly and exits 0', async () => {
    const p = starting();
    const {supervisor, slowPid} = await upStarting(p);
    void cli(p, ['restart', 'slow']);
    await eventually(async () => {
      const pid = service(await ps(p), 'slow')?.pid;
      return pid && pid !== slowPid;
    }, 10_000, 'slow to run again');
    await downPromptly(p, supervisor);
  });

  it('of the app before start-up reached it: left to start-up, said so; the app starts once, after slow', async () => {
    const p = starting();
    const {supervisor} = await upStarting(p);
    const restart = await cli(p, ['restart', 'app']);
    expect(restart.exitCode, restart.all).toBe(0);
    expect(restart.stdout).toBe('not started yet: app (the stack is starting; each starts once what it waits for is ready)');
    expect(service(await ps(p), 'app')?.state).toBe('pending');
    writeFileSync(path.join(p.dir, 'go'), '');
    const ready = await eventually(async () => {
      const app = service(await ps(p), 'app');
      return app?.state === 'running' ? app : undefined;
    }, 10_000, 'the app to start');
    expect(ready.restarts).toBe(0);
    await downPromptly(p, supervisor);
  });
});
