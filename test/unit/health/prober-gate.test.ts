import {spawn} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {Prober} from '../../../src/health/prober.js';
import type {Probe} from '../../../src/health/probe.js';
import {unitAlive} from '../../../src/health/unit-alive.js';
import {readStat} from '../../../src/runtime/process/proc-table.js';
import type {Health} from '../../../src/manifest/types.js';
import {FakeClock} from '../../helpers/fake-clock.js';

// Someone else's listener answers: every check passes.
const answered: Probe = {description: 'tcp :8080', check: async () => undefined};
const health: Health = {check: {kind: 'tcp', port: 8080}, intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 2000};

describe('a probe passing while the service\'s own process is gone is discarded (issue 8.3)', () => {
  it('is never ready while its process is not running, and times out as not ready', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    let running = false;
    const prober = new Prober(answered, health, clock, {
      ready: () => seen.push('ready'),
      healthy: () => seen.push('healthy'),
      unhealthy: () => seen.push('unhealthy'),
      probeFailed: () => seen.push('probeFailed'),
      startTimedOut: (error) => seen.push(`startTimedOut: ${error}`),
    }, () => running);
    prober.start();
    await clock.advance(1000);
    expect(seen).toEqual([]);
    running = true;
    await clock.advance(150);
    expect(seen).toEqual(['ready']);
    prober.stop();

    const never = new FakeClock();
    const timedOut: string[] = [];
    const stuck = new Prober(answered, health, never, {
      ready: () => timedOut.push('ready'),
      healthy: () => undefined,
      unhealthy: () => undefined,
      probeFailed: () => undefined,
      startTimedOut: (error) => timedOut.push(error),
    }, () => false);
    stuck.start();
    await never.advance(2500);
    expect(timedOut).toEqual(['not ready after 2000ms: tcp :8080: no check finished']);
  });

  it('unitAlive: a zombie (exited, not reaped yet) is not running; a live process is', async () => {
    // The child exits only once its parent has become `sleep 60` (its comm says so), which never
    // reaps it: a zombie for sure. A child exiting at once could be reaped by the shell before
    // its `exec` (CI saw that: the pid was gone instead of a zombie).
    const child = 'i=0; while [ "$(cat /proc/$PPID/comm)" != sleep ] && [ $i -lt 1000 ]; do i=$((i+1)); sleep 0.01; done';
    const parent = spawn('sh', ['-c', `sh -c '${child}' & echo $!; exec sleep 60`], {stdio: ['ignore', 'pipe', 'ignore']});
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (data: Buffer) => resolve(data.toString().trim()))));
      const deadline = Date.now() + 10_000;
      while (readStat(pid)?.state !== 'Z' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(readStat(pid)?.state).toBe('Z');
      expect(unitAlive({kind: 'process', pid, pgid: pid, startTime: readStat(pid)!.startTime})).toBe(false);
      expect(unitAlive({kind: 'process', pid: parent.pid!, pgid: parent.pid!, startTime: readStat(parent.pid!)!.startTime})).toBe(true);
      expect(unitAlive({kind: 'docker', containerId: 'abc'})).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
