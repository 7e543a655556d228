import {describe, expect, it} from 'vitest';
import {Prober} from '../../../src/health/prober.js';
import type {Probe} from '../../../src/health/probe.js';
import type {Health} from '../../../src/manifest/types.js';
import type {TimerHandle} from '../../../src/time/clock.js';
import {FakeClock} from '../../helpers/fake-clock.js';

// Issue 13.4: the periodic checks of one supervisor's probes share one wakeup (a
// timer firing), instead of one each; the interval between a probe's checks stays.
class CountingClock extends FakeClock {
  fired: number[] = [];
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    return super.setTimeout(() => {
      this.fired.push(this.now());
      fn();
    }, ms);
  }
}

class TimedProbe implements Probe {
  readonly description = 'timed';
  readonly cheap = true;
  readonly calls: number[] = [];
  failing = false;
  constructor(private readonly clock: FakeClock) {}
  async check(): Promise<void> {
    this.calls.push(this.clock.now());
    if (this.failing) throw new Error('connection refused');
  }
}

const health = (overrides: Partial<Health> = {}): Health => ({check: {kind: 'http', scheme: 'http', port: 1, path: '/', headers: {}}, intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000, ...overrides});

function start(clock: FakeClock, h: Health = health()) {
  const probe = new TimedProbe(clock);
  const seen: {type: string; at: number}[] = [];
  const mark = (type: string) => () => void seen.push({type, at: clock.now()});
  const prober = new Prober(probe, h, clock, {ready: mark('ready'), healthy: mark('healthy'), unhealthy: mark('unhealthy'), probeFailed: mark('probeFailed'), startTimedOut: mark('startTimedOut')});
  prober.start();
  return {probe, prober, seen};
}

describe('Prober shared tick (issue 13.4)', () => {
  it('runs the periodic checks of probes started at different times in one wakeup a second', async () => {
    const clock = new CountingClock();
    const probes = [];
    for (let i = 0; i < 5; i++) {
      probes.push(start(clock));
      await clock.advance(130);
    }
    await clock.advance(3000);
    const from = clock.now();
    clock.fired = [];
    await clock.advance(5000);
    const window = (calls: number[]) => calls.filter((t) => t > from);
    const first = window(probes[0]!.probe.calls);
    expect(first).toHaveLength(5);
    for (const {probe} of probes) expect(window(probe.calls)).toEqual(first);
    expect(clock.fired).toEqual(first);
    for (const {prober} of probes) prober.stop();
    expect(clock.pending()).toBe(0);
  });

  it('keeps a probe\'s checks `interval` apart, the first one after ready within `interval`', async () => {
    const clock = new FakeClock();
    await clock.advance(10);
    start(clock); // the supervisor's first probe
    await clock.advance(370);
    const late = start(clock, health({intervalMs: 2000}));
    await clock.advance(9000);
    const ready = late.seen.find((e) => e.type === 'ready')!.at;
    const after = late.probe.calls.filter((t) => t > ready);
    expect(after.length).toBeGreaterThanOrEqual(4);
    expect(after[0]! - ready).toBeGreaterThan(0);
    expect(after[0]! - ready).toBeLessThanOrEqual(2000);
    expect(after.slice(1).map((t, i) => t - after[i]!)).toEqual(after.slice(1).map(() => 2000));
  });

  it('turns unhealthy after `retries` failed checks, `interval` apart, as before', async () => {
    const clock = new FakeClock();
    start(clock);
    await clock.advance(450);
    const {probe, prober, seen} = start(clock);
    await clock.advance(2000);
    probe.failing = true;
    const from = clock.now();
    await clock.advance(3000);
    const failed = seen.filter((e) => e.type === 'probeFailed').map((e) => e.at);
    expect(failed).toHaveLength(3);
    expect(failed[0]! - from).toBeLessThanOrEqual(1000);
    expect([failed[1]! - failed[0]!, failed[2]! - failed[1]!]).toEqual([1000, 1000]);
    expect(seen.find((e) => e.type === 'unhealthy')?.at).toBe(failed[2]);
    prober.stop();
  });
});
