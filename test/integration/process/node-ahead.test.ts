import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import type {Service} from '../../../src/manifest/types.js';
import {currentCgroupLayout} from '../../../src/runtime/process/cgroup/cgroup-layout.js';
import {UnitLimits} from '../../../src/runtime/process/cgroup/unit-limits.js';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import {spawnUnit} from '../../../src/runtime/process/spawn-unit.js';
import {cgroupBase} from '../../../src/runtime/process/stack-marker.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {commandLine, processesWithMark, stackGroups} from '../../helpers/proc-scan.js';
import {until} from '../../helpers/until.js';

// Issue 13.1: a Node program made ahead of its turn starts up then (~20 ms of
// Node's own start-up, while the service before it gets ready), and runs its own
// code only once told go (src/runtime/node-ahead.ts, bin/node-ahead.js). What
// the program sees is what it would have seen started at its turn: its
// NODE_OPTIONS as given, no variable of ours, no fd 3.
const firstLine = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/programs/first-line.js');
const layout = currentCgroupLayout();
const canGroup = process.getuid?.() === 0 && layout.version !== 0;
if (!canGroup) console.warn('[node-ahead] cgroup cases skipped: need root and a cgroup tree (CI runs as root)');

interface FirstLine {
  pid: number;
  NODE_OPTIONS: string | null;
  SIDECAR_GO_FD: string | null;
  SIDECAR_NODE_OPTIONS_WAS: string | null;
  fd3: string | null;
}
const linesOf = (file: string): FirstLine[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as FirstLine) : []);
// The program's own code runs in a process that is node itself by then, not its shell.
const isNode = (pid: number): boolean => commandLine(pid).startsWith(process.execPath) || commandLine(pid).startsWith('node ');

function setup(mark: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-node-ahead-'));
  const out = (name: string): string => path.join(dir, `${name}.jsonl`);
  const make = (name: string, role: Service['role']): Service => service(name, role, {command: [process.execPath, firstLine, out(name)], env: {SIDECAR_TEST_MARK: mark, ...env}});
  const a = make('a', 'sidecar');
  const b = make('b', 'app');
  return {m: manifest({dir, app: b, sidecars: [a]}), a, b, out};
}

// Long enough for Node to have started up and, were it not waiting, run its first line.
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 600));

describe.runIf(canGroup)('a Node program made ahead', () => {
  it('starts up in its cgroup and runs none of its code until go; then the same process runs it, with the environment it was given', async () => {
    const mark = `node-ahead-${process.pid}-${Date.now()}`;
    const {m, a, b, out} = setup(mark);
    const runtime = new ProcessRuntime();
    await runtime.prepare(m, {log: () => undefined});
    try {
      runtime.precreate([a, b]);
      const [forA, forB] = await until('both made ahead, as node', () => {
        const pids = processesWithMark(mark);
        return pids.length === 2 && pids.every(isNode) ? pids.sort((x, y) => x - y) : false;
      });
      for (const pid of [forA!, forB!]) expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toContain(cgroupBase(m));
      await settle();
      expect(linesOf(out('a'))).toEqual([]);
      expect(linesOf(out('b'))).toEqual([]);

      const unitA = await runtime.start(a);
      expect(unitA.identity.kind === 'process' && unitA.identity.pid).toBe(forA);
      const [ranA] = await until("a's first line", () => (linesOf(out('a')).length === 1 ? linesOf(out('a')) : false));
      expect(ranA).toMatchObject({pid: forA, NODE_OPTIONS: null, SIDECAR_GO_FD: null, SIDECAR_NODE_OPTIONS_WAS: null});
      expect(ranA!.fd3 ?? '').not.toMatch(/^socket:/);
      // b still waits: its code has not run.
      await settle();
      expect(linesOf(out('b'))).toEqual([]);

      const unitB = await runtime.start(b);
      expect(unitB.identity.kind === 'process' && unitB.identity.pid).toBe(forB);
      await until("b's first line", () => linesOf(out('b')).length === 1);
      await runtime.stop(unitB, 'SIGTERM', 2000);
      await runtime.stop(unitA, 'SIGTERM', 2000);
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
    await until('nothing of the stack left', () => processesWithMark(mark).length === 0);
    await until('its cgroups removed', () => stackGroups(m).length === 0);
  }, 60_000);

  it("keeps the service's own NODE_OPTIONS as given", async () => {
    const mark = `node-ahead-opts-${process.pid}-${Date.now()}`;
    const {m, a, out} = setup(mark, {NODE_OPTIONS: '--max-old-space-size=96'});
    const runtime = new ProcessRuntime();
    await runtime.prepare(m, {log: () => undefined});
    try {
      runtime.precreate([a]);
      await until('a made ahead, as node', () => processesWithMark(mark).length === 1 && processesWithMark(mark).every(isNode));
      const unit = await runtime.start(a);
      const [ran] = await until("a's first line", () => (linesOf(out('a')).length === 1 ? linesOf(out('a')) : false));
      expect(ran).toMatchObject({NODE_OPTIONS: '--max-old-space-size=96', SIDECAR_GO_FD: null, SIDECAR_NODE_OPTIONS_WAS: null});
      await runtime.stop(unit, 'SIGTERM', 2000);
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
    await until('nothing of the stack left', () => processesWithMark(mark).length === 0);
  }, 60_000);

  it('never told go (the stack torn down first), ends having run nothing, its cgroup removed', async () => {
    const mark = `node-ahead-end-${process.pid}-${Date.now()}`;
    const {m, a, out} = setup(mark);
    const runtime = new ProcessRuntime();
    await runtime.prepare(m, {log: () => undefined});
    try {
      runtime.precreate([a]);
      await until('a made ahead, as node', () => processesWithMark(mark).length === 1 && processesWithMark(mark).every(isNode));
      await settle();
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
    await until('nothing of the stack left', () => processesWithMark(mark).length === 0);
    await until('its cgroups removed', () => stackGroups(m).length === 0);
    expect(linesOf(out('a'))).toEqual([]);
  }, 60_000);
});

describe.runIf(process.platform === 'linux')('a Node program made ahead without a cgroup', () => {
  // A user without cgroup rights: nothing else is made ahead, a Node program is, and waits the same way.
  class NoGroups extends UnitLimits {
    override groupFor(): undefined {
      return undefined;
    }
  }
  const spawned: Array<{child: {kill: (signal: NodeJS.Signals) => boolean}}> = [];
  afterEach(() => {
    for (const s of spawned.splice(0)) s.child.kill('SIGKILL');
  });

  it('waits in its preload, then runs on go', async () => {
    const mark = `node-ahead-nogroup-${process.pid}-${Date.now()}`;
    const {m, a, out} = setup(mark);
    const limits = new NoGroups(cgroupBase(m), 'test', () => undefined);
    const made = spawnUnit(m, 'run-test', limits, a, a.command!, true);
    expect(made?.channel).toBeDefined();
    expect(made?.cgroup).toBeUndefined();
    spawned.push(made!);
    await made!.channel!.joined;
    await until('a started up, as node', () => isNode(made!.child.pid!));
    await settle();
    expect(linesOf(out('a'))).toEqual([]);
    made!.channel!.go();
    const [ran] = await until("a's first line", () => (linesOf(out('a')).length === 1 ? linesOf(out('a')) : false));
    expect(ran).toMatchObject({pid: made!.child.pid, NODE_OPTIONS: null, SIDECAR_GO_FD: null});
  }, 30_000);

  it('a program that is not Node is not made ahead there (it starts at its turn)', () => {
    const mark = `node-ahead-nogroup-sh-${process.pid}-${Date.now()}`;
    const {m} = setup(mark);
    const viaShell = service('c', 'sidecar', {command: ['/bin/sh', '-c', 'exec "$0" "$1"', process.execPath, firstLine], env: {SIDECAR_TEST_MARK: mark}});
    const limits = new NoGroups(cgroupBase(m), 'test', () => undefined);
    expect(spawnUnit(m, 'run-test', limits, viaShell, viaShell.command!, true)).toBeUndefined();
    expect(processesWithMark(mark)).toEqual([]);
  });
});
