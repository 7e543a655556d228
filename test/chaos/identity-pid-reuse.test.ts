import {spawn, type ChildProcess} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {ProcessRuntime} from '../../src/runtime/process/process-runtime.js';
import {cli, ensureBuilt, eventually, programs, project, type Project} from '../integration/cli/cli-harness.js';
import {manifest, service} from '../helpers/manifest-builder.js';

// Issue 9.2: a stale state.json (after a reboot or a pid wrap) names pids that now
// belong to someone else. containerd and systemd never kill by pid alone; neither may we.
const strangers: ChildProcess[] = [];
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
  for (const s of strangers.splice(0)) s.kill('SIGKILL');
});

// An unrelated `setsid sleep`: its own session and process group, as a reused pgid would be.
function stranger(): ChildProcess {
  const child = spawn('sleep', ['1000'], {detached: true, stdio: 'ignore'});
  strangers.push(child);
  return child;
}

function stat(pid: number): {state: string; startTime: string} | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {state: fields[0]!, startTime: fields[19]!};
  } catch {
    return undefined;
  }
}

const alive = (pid: number): boolean => {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
};

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

function staleProject(): Project {
  const p = project(`version: 1
name: stale
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
`);
  live.push(p);
  mkdirSync(path.join(p.dir, '.sidecar'), {recursive: true});
  return p;
}

// state.json and supervisor.json as a supervisor of an earlier boot (or before a pid wrap) left them.
function writeStale(p: Project, identities: object[], supervisor?: object): void {
  const state = {project: 'stale', runtime: 'process', manifestFile: path.join(p.dir, 'sidecar.yaml'), updatedAt: Date.now(), phase: 'ready', services: [], identities};
  writeFileSync(path.join(p.dir, '.sidecar/state.json'), JSON.stringify(state));
  if (supervisor) writeFileSync(path.join(p.dir, '.sidecar/supervisor.json'), JSON.stringify(supervisor));
}

describe('a stale state.json pointing at reused pids (issue 9.2)', () => {
  it('`down` does not signal a stranger that took the recorded pgid and started after the recorded time', async () => {
    const p = staleProject();
    const sleep = stranger();
    const pid = sleep.pid!;
    await eventually(() => alive(pid), 5000, 'the stranger');
    // The recorded leader is gone; its pgid is now the stranger's, which started "after" it.
    writeStale(p, [{kind: 'process', pid: 999_999, pgid: pid, startTime: '1', bootId}]);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(pid)).toBe(true);
  });

  it('the next `up` does not signal it either, and still starts the stack', async () => {
    const p = staleProject();
    const sleep = stranger();
    const pid = sleep.pid!;
    await eventually(() => alive(pid), 5000, 'the stranger');
    writeStale(p, [{kind: 'process', pid: 999_999, pgid: pid, startTime: '1', bootId}]);
    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(pid)).toBe(true);
  });

  it('a record from another boot matches nothing, even with the exact pid and start time', async () => {
    const p = staleProject();
    const [unit, supervisor] = [stranger(), stranger()];
    await eventually(() => alive(unit.pid!) && alive(supervisor.pid!), 5000, 'the strangers');
    const otherBoot = '00000000-0000-4000-8000-000000000000';
    writeStale(
      p,
      [{kind: 'process', pid: unit.pid, pgid: unit.pid, startTime: stat(unit.pid!)!.startTime, bootId: otherBoot}],
      {pid: supervisor.pid, startTime: stat(supervisor.pid!)!.startTime, bootId: otherBoot, socket: path.join(p.dir, '.sidecar/control.sock'), project: 'stale', runtime: 'process', manifestFile: path.join(p.dir, 'sidecar.yaml'), startedAt: 0, detached: true},
    );
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(unit.pid!)).toBe(true);
    expect(alive(supervisor.pid!)).toBe(true);
  });

  it('a record edited to name a stranger exactly (pid, start time, boot, a run id) is neither shown running nor signalled', async () => {
    // Found by an attacker's trial: with the supervisor killed, identities copied from a
    // stranger into state.json made `ps` list it as the app, running, and `down` kill it.
    const p = staleProject();
    const sleep = stranger();
    const pid = sleep.pid!;
    await eventually(() => alive(pid), 5000, 'the stranger');
    const identity = {kind: 'process', pid, pgid: pid, startTime: stat(pid)!.startTime, bootId, runId: '00000000-0000-4000-8000-00000000f00d'};
    writeStale(p, [identity]);
    const statePath = path.join(p.dir, '.sidecar/state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as {services: object[]; runId?: string};
    state.services = [{name: 'app', role: 'app', state: 'running', health: 'none', restarts: 0, pid, containerId: null, exitCode: null, ports: [], identity}];
    state.runId = identity.runId;
    writeFileSync(statePath, JSON.stringify(state));
    const ps = await cli(p, ['ps', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    const app = (JSON.parse(ps.stdout) as {services: {name: string; state: string}[]}).services.find((s) => s.name === 'app');
    expect(app?.state).not.toBe('running');
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(pid)).toBe(true);
  });

  it('a state.json with fields of another shape: ps and down answer, never as a bug (exit 1)', async () => {
    // Found by an attacker's trial: `ports: "x"` made ps fail with "ports.map is not a function".
    const p = staleProject();
    writeStale(p, [{kind: 'process', pid: 'x'}]);
    const statePath = path.join(p.dir, '.sidecar/state.json');
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as {services: object[]};
    state.services = [{name: 'app', role: 'app', state: 'exited', health: 'none', restarts: 0, pid: null, containerId: null, exitCode: 0, ports: 'x'}, {name: 'ghost', ports: [[[[]]]]}];
    writeFileSync(statePath, JSON.stringify(state));
    const table = await cli(p, ['ps']);
    expect(table.exitCode, table.all).toBe(0);
    expect(table.stdout).toMatch(/^app\s+app\s+exited/m);
    expect(table.stdout).not.toContain('undefined');
    const json = await cli(p, ['ps', '--json']);
    expect(json.exitCode, json.all).toBe(0);
    expect((JSON.parse(json.stdout) as {services: {name: string; ports: unknown[]}[]}).services.map((s) => [s.name, s.ports])).toEqual([
      ['app', []],
      ['ghost', []],
    ]);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
  });

  it('a supervisor record without a start time is not enough to kill its pid', async () => {
    const p = staleProject();
    const supervisor = stranger();
    await eventually(() => alive(supervisor.pid!), 5000, 'the stranger');
    writeStale(p, [], {pid: supervisor.pid, socket: path.join(p.dir, '.sidecar/control.sock'), project: 'stale', runtime: 'process', manifestFile: path.join(p.dir, 'sidecar.yaml'), startedAt: 0, detached: true});
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(alive(supervisor.pid!)).toBe(true);
  });
});

describe('a stale record of an earlier run of the same project (issue 9.2)', () => {
  it("reaping with the old run id leaves today's run alone; its own run id finds it", async () => {
    const dir = staleProject().dir;
    const m = manifest({name: 'stale', dir, app: service('app', 'app', {command: [process.execPath, path.join(programs, 'forever.js')], stopTimeoutMs: 1000})});
    const today = new ProcessRuntime();
    await today.prepare(m, {log: () => undefined});
    const unit = await today.start(m.pods[0]!.app);
    const identity = unit.identity as {pid: number};
    await eventually(() => alive(identity.pid), 5000, 'the app');
    // Same project, same stack id, but the record is of another run: nothing of today's matches.
    const reaped = await new ProcessRuntime().reap(m, [], {runIds: ['00000000-0000-4000-8000-00000000beef'], graceMs: 0});
    expect(reaped).toEqual([]);
    expect(alive(identity.pid)).toBe(true);
    const own = await new ProcessRuntime().reap(m, [], {runIds: [today.runId], graceMs: 1000});
    expect(own.map((i) => (i as {pid: number}).pid)).toContain(identity.pid);
    await eventually(() => !alive(identity.pid), 5000, 'the app to be reaped');
  });
});
