import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {currentCgroupLayout} from '../../../src/runtime/process/cgroup/cgroup-layout.js';
import {procReads} from '../../../src/runtime/process/proc-table.js';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {processesWithMark} from '../../helpers/proc-scan.js';

// Issue 13.1: the stop's last reap scanned every process in /proc (~5 ms at the end
// of every `down`) for what escaped its service. Where every unit ran in a cgroup
// that was then removed (the kernel removes only an empty group), nothing can have
// escaped: the scan is skipped. Anything outside a group (an `exec`) keeps it.
// Needs cgroups: root here and on CI.
const layout = currentCgroupLayout();
const canGroup = process.getuid?.() === 0 && layout.version !== 0;
if (!canGroup) console.warn('[final-reap] skipped: needs root and a cgroup tree (CI runs as root)');

async function setup(mark: string, command: (dir: string) => string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-final-reap-'));
  const app = service('app', 'app', {command: command(dir), env: {SIDECAR_TEST_MARK: mark}, stopTimeoutMs: 1000});
  const m = manifest({dir, app});
  const runtime = new ProcessRuntime();
  await runtime.prepare(m, {log: () => undefined});
  return {dir, m, app, runtime};
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.runIf(canGroup)('the stop\'s last reap (process runtime)', () => {
  it('skips the /proc scan when every unit ran in a cgroup that was removed, and nothing is left: not even a child that left its group and our environment', async () => {
    const mark = `final-reap-${process.pid}-${Date.now()}`;
    // The child leaves the process group (setsid) and drops the marker (env -i): only its cgroup holds it.
    const {dir, m, app, runtime} = await setup(mark, (dir) => ['sh', '-c', `setsid env -i sh -c 'echo $$ > ${dir}/escaped.pid; exec sleep 1000' & exec sleep 1000`]);
    try {
      const unit = await runtime.start(app);
      const pidFile = path.join(dir, 'escaped.pid');
      await until('the escapee to start', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
      const escaped = Number(readFileSync(pidFile, 'utf8').trim());
      await runtime.stop(unit, 'SIGTERM', 1000);
      const before = procReads.scans;
      expect(await runtime.reap(m, [unit.identity])).toEqual([]);
      expect(procReads.scans - before).toBe(0);
      expect(existsSync(`/proc/${escaped}`) && !readFileSync(`/proc/${escaped}/stat`, 'utf8').includes(') Z ')).toBe(false);
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
    expect(processesWithMark(mark)).toEqual([]);
  }, 30_000);

  it('scans when something of the run ran outside a cgroup (an exec), and finds what is left', async () => {
    const mark = `final-reap-exec-${process.pid}-${Date.now()}`;
    const {m, app, runtime} = await setup(mark, () => [process.execPath, '-e', 'setInterval(() => {}, 1000)']);
    try {
      const unit = await runtime.start(app);
      // An exec that leaves a process behind, with the run's marker and no cgroup.
      const result = await runtime.exec(app, ['sh', '-c', 'setsid sleep 1000 > /dev/null 2>&1 < /dev/null &'], {});
      expect(result.exitCode).toBe(0);
      await until('the exec leftover to run', () => processesWithMark(mark).length === 2);
      await runtime.stop(unit, 'SIGTERM', 1000);
      const before = procReads.scans;
      const reaped = await runtime.reap(m, [unit.identity], {graceMs: 500});
      expect(procReads.scans - before).toBeGreaterThan(0);
      expect(reaped).toHaveLength(1);
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
    await until('nothing of the run left', () => processesWithMark(mark).length === 0);
  }, 30_000);
});
