import {existsSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {beginEarlyWarmUp, ownProcsFile, takeEarlyWarmUp} from '../../../src/runtime/process/cgroup/warm-moves.js';

describe('ownProcsFile (issue 13.1: the group a warm-up move goes to)', () => {
  it('is our group in the v1 memory tree, whatever other controllers share its line', () => {
    const v1 = ['12:pids:/user.slice', '9:cpu,cpuacct:/user.slice', '4:memory,hugetlb:/process_api/e607', '0::/'].join('\n');
    expect(ownProcsFile(v1)).toBe('/sys/fs/cgroup/memory/process_api/e607/cgroup.procs');
    expect(ownProcsFile('4:memory:/\n')).toBe('/sys/fs/cgroup/memory/cgroup.procs');
  });

  it('is our group in the unified tree under cgroup v2', () => {
    expect(ownProcsFile('0::/user.slice/user-1000.slice/session-2.scope\n')).toBe('/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/cgroup.procs');
    expect(ownProcsFile('0::/\n')).toBe('/sys/fs/cgroup/cgroup.procs');
  });

  it('is nothing for a path that climbs, or a file with no group', () => {
    expect(ownProcsFile('4:memory:/a/../../etc\n')).toBeUndefined();
    expect(ownProcsFile('0::/../x\n')).toBeUndefined();
    expect(ownProcsFile('')).toBeUndefined();
    expect(ownProcsFile('1:name=systemd:/init.scope\n')).toBeUndefined();
  });
});

// The machines this runs on (CI included) mount their cgroup trees at the usual places.
describe.runIf(process.platform === 'linux' && existsSync('/sys/fs/cgroup'))('ownProcsFile on this machine', () => {
  it('names the group this process is in: its cgroup.procs lists our pid', () => {
    const file = ownProcsFile(readFileSync('/proc/self/cgroup', 'utf8'));
    expect(file).toBeDefined();
    expect(readFileSync(file!, 'utf8').split('\n')).toContain(String(process.pid));
  });
});

// bin/supervisor.js begins the warm-up before the supervisor's bundle loads (issue 13.1).
describe('beginEarlyWarmUp / takeEarlyWarmUp', () => {
  it('is taken over once, and a SIGTERM that came meanwhile is noted, not obeyed', async () => {
    const before = process.listenerCount('SIGTERM');
    beginEarlyWarmUp();
    // A note is in place of the default end (which would leave the warm-up shell to init).
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    const early = takeEarlyWarmUp();
    expect(early?.signalled).toBe(true);
    expect(takeEarlyWarmUp()).toBeUndefined();
    early!.release();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    // The shell it started (where cgroups are) is waited for, not left behind.
    await early!.ended;
  });

  it('notes nothing when no signal came', () => {
    beginEarlyWarmUp();
    const early = takeEarlyWarmUp();
    early!.release();
    expect(early!.signalled).toBe(false);
    return early!.ended;
  });
});
