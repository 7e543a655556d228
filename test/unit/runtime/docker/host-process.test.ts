import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {hostProcessOf, whenGone} from '../../../../src/runtime/docker/host-process.js';
import {processStartTime} from '../../../../src/runtime/process/process-start-time.js';

// A container's process is pinned only with proof (issue 13.2): its cgroup names
// the container, and it has a PID namespace of its own.
const ownCgroupPart = readFileSync('/proc/self/cgroup', 'utf8').split('\n').map((line) => line.split(':')[2] ?? '').find((p) => p.length > 1)?.split('/').pop();

describe('hostProcessOf', () => {
  const info = (over: {Id?: string; Pid?: number; Running?: boolean; PidMode?: string}) =>
    ({Id: over.Id ?? 'f'.repeat(64), State: {Running: over.Running ?? true, Pid: over.Pid ?? process.pid}, HostConfig: {PidMode: over.PidMode ?? ''}}) as never;

  it('does not pin a process whose cgroup does not name the container', () => {
    expect(hostProcessOf(info({}))).toBeUndefined();
  });

  it('does not pin a stopped container, a pid of 0, or a shared PID namespace', () => {
    expect(hostProcessOf(info({Running: false}))).toBeUndefined();
    expect(hostProcessOf(info({Pid: 0}))).toBeUndefined();
    if (ownCgroupPart) expect(hostProcessOf(info({Id: ownCgroupPart, PidMode: 'container:abc'}))).toBeUndefined();
  });

  it.runIf(ownCgroupPart !== undefined)('pins a live process in a cgroup that names it, with its start time', () => {
    expect(hostProcessOf(info({Id: ownCgroupPart!}))).toEqual({pid: process.pid, startTime: processStartTime(process.pid)});
  });
});

describe('whenGone', () => {
  it('settles once the process is gone, not before', async () => {
    const child = spawn('sleep', ['30']);
    const target = {pid: child.pid!, startTime: processStartTime(child.pid!)!};
    let gone = false;
    const watched = whenGone(target, new Promise(() => undefined)).then(() => (gone = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(gone).toBe(false);
    child.kill('SIGTERM');
    await watched;
    expect(processStartTime(target.pid)).toBeUndefined();
  });
});
