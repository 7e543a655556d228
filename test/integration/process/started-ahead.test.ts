import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import type {Service} from '../../../src/manifest/types.js';
import {currentCgroupLayout} from '../../../src/runtime/process/cgroup/cgroup-layout.js';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import {cgroupBase} from '../../../src/runtime/process/stack-marker.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {commandLine, processesWithMark, stackGroups} from '../../helpers/proc-scan.js';
import {until} from '../../helpers/until.js';

// Issues 13.1 and 13.3: moving a process into a cgroup takes the kernel 10-15 ms
// here, so the process runtime makes the next services' processes ahead (in
// their groups, waiting for a line on fd 3) and start() only says go, as a
// container is created before it is started. A Node program has started up
// meanwhile too (node-ahead.test.ts); these use a shell in front of Node, which
// waits before anything runs. Needs cgroups: root here and on CI.
const forever = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/programs/forever.js');
// Not a Node program by its name: made ahead, it waits in the shell that joins its cgroup.
const viaShell = ['/bin/sh', '-c', 'exec "$0" "$1"', process.execPath, forever];
const layout = currentCgroupLayout();
const canGroup = process.getuid?.() === 0 && layout.version !== 0;
if (!canGroup) console.warn('[started-ahead] skipped: needs root and a cgroup tree (CI runs as root)');

const cmdline = commandLine;
const waiting = (mark: string): number[] => processesWithMark(mark).filter((pid) => cmdline(pid).includes('read -r go'));
const groupDirs = stackGroups;

const one = (mark: string) => (): number | false => (waiting(mark).length === 1 ? waiting(mark)[0]! : false);

async function setup(mark: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-ahead-'));
  const make = (name: string, role: Service['role']) => service(name, role, {command: viaShell, env: {SIDECAR_TEST_MARK: mark}});
  const a = make('a', 'sidecar');
  const b = make('b', 'app');
  const m = manifest({dir, app: b, sidecars: [a]});
  const runtime = new ProcessRuntime();
  await runtime.prepare(m, {log: () => undefined});
  return {m, runtime, a, b};
}

describe.runIf(canGroup)('the process runtime makes the next service ahead', () => {
  it('the next two, one after the other, each in its cgroup, waiting; start() runs that same process; nothing is left after teardown', async () => {
    const mark = `ahead-${process.pid}-${Date.now()}`;
    const {m, runtime, a, b} = await setup(mark);
    try {
      runtime.precreate([a, b]);
      const forA = await until('a made ahead', () => waiting(mark)[0] ?? false);
      // Found by its marker as soon as it is forked; it joins its group right after.
      await until('a in its cgroup', () => readFileSync(`/proc/${forA}/cgroup`, 'utf8').includes(cgroupBase(m)));
      // b once a has joined (the kernel moves one process at a time), in its own group.
      const forB = await until('b made ahead too', () => waiting(mark).find((pid) => pid !== forA) ?? false);
      await until('b in its cgroup', () => readFileSync(`/proc/${forB}/cgroup`, 'utf8').includes(cgroupBase(m)));
      expect(processesWithMark(mark).sort()).toEqual([forA, forB].sort());
      const unitA = await runtime.start(a);
      expect(unitA.identity.kind === 'process' && unitA.identity.pid).toBe(forA);
      // Then a runs its command in that pid, and b's process still waits: nothing more is made.
      await until('a to run its command', () => !cmdline(forA).includes('read -r go') && cmdline(forA).includes('forever.js') && !cmdline(forA).startsWith('/bin/sh'));
      expect(waiting(mark)).toEqual([forB]);
      const unitB = await runtime.start(b);
      expect(unitB.identity.kind === 'process' && unitB.identity.pid).toBe(forB);
      // The waiting shell's own command line names forever.js too (its "$@"): running means exec'd.
      await until('b to run its command', () => !cmdline(forB).includes('read -r go') && cmdline(forB).includes('forever.js') && !cmdline(forB).startsWith('/bin/sh'));
      expect(waiting(mark)).toEqual([]);
      await runtime.stop(unitB, 'SIGTERM', 2000);
      await runtime.stop(unitA, 'SIGTERM', 2000);
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
    await until('nothing of the stack left', () => processesWithMark(mark).length === 0);
    await until('its cgroups removed', () => groupDirs(m).length === 0);
  }, 60_000);

  // The stack tells what starts first before prepare(): without the manifest (Stack.start),
  // prepare() makes it; with it (the detached supervisor, before its socket), at once.
  async function startsTheOneMadeAhead(mark: string, told: 'plan' | 'plan and manifest'): Promise<void> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-ahead-'));
    const make = (name: string, role: Service['role']) => service(name, role, {command: viaShell, env: {SIDECAR_TEST_MARK: mark}});
    const a = make('a', 'sidecar');
    const m = manifest({dir, app: make('b', 'app'), sidecars: [a]});
    const runtime = new ProcessRuntime();
    try {
      if (told === 'plan') {
        runtime.precreate([a]);
        await runtime.prepare(m, {log: () => undefined});
      } else runtime.precreate([a], m);
      // No further precreate (a pod's bring-up tells it again later).
      const forA = await until(`a made ahead (told the ${told})`, one(mark));
      if (told !== 'plan') await runtime.prepare(m, {log: () => undefined});
      const unitA = await runtime.start(a);
      expect(unitA.identity.kind === 'process' && unitA.identity.pid).toBe(forA);
      await runtime.stop(unitA, 'SIGTERM', 2000);
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
    await until('nothing of the stack left', () => processesWithMark(mark).length === 0);
  }

  it('told before prepare() what starts first (as Stack.start does), makes it in prepare()', async () => {
    await startsTheOneMadeAhead(`ahead-early-${process.pid}-${Date.now()}`, 'plan');
  }, 60_000);

  it('given the manifest before prepare() (the detached supervisor, before its socket), makes the first one at once', async () => {
    await startsTheOneMadeAhead(`ahead-bound-${process.pid}-${Date.now()}`, 'plan and manifest');
  }, 60_000);

  it('ends, cgroup and all, one made for an older definition (not used) and one never started (at teardown)', async () => {
    const mark = `ahead-stale-${process.pid}-${Date.now()}`;
    const {m, runtime, a, b} = await setup(mark);
    try {
      runtime.precreate([a]);
      const stale = await until('a made ahead', one(mark));
      // `up` with a changed manifest: a new definition of the same service.
      const changed: Service = {...a, env: {...a.env, CHANGED: '1'}};
      const unit = await runtime.start(changed);
      expect(unit.identity.kind === 'process' && unit.identity.pid).not.toBe(stale);
      await until('the stale one to end', () => !processesWithMark(mark).includes(stale));
      runtime.precreate([b]);
      await until('b made ahead', one(mark));
      await runtime.stop(unit, 'SIGTERM', 2000);
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
    await until('nothing of the stack left', () => processesWithMark(mark).length === 0);
    await until('its cgroups removed', () => groupDirs(m).length === 0);
  }, 60_000);
});
