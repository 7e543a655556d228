import {describe, expect, it} from 'vitest';
import {Prober} from '../../../src/health/prober.js';
import type {Probe} from '../../../src/health/probe.js';
import type {Health} from '../../../src/manifest/types.js';
import {FakeClock, flush} from '../../helpers/fake-clock.js';

class SwitchProbe implements Probe {
  readonly description = 'switch';
  constructor(readonly cheap = false) {}
  passing = false;
  calls = 0;
  async check(): Promise<void> {
    this.calls++;
    if (!this.passing) throw new Error('connection refused');
  }
}

const health: Health = {check: {kind: 'tcp', port: 1}, intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000};

function setup(cheap = false) {
  const clock = new FakeClock();
  const probe = new SwitchProbe(cheap);
  let readyAt: number | undefined;
  const prober = new Prober(probe, health, clock, {ready: () => (readyAt = clock.now()), healthy: () => {}, unhealthy: () => {}, probeFailed: () => {}, startTimedOut: () => {}});
  return {clock, probe, prober, readyAt: () => readyAt};
}

describe('Prober.nudge: output from a starting service triggers a check now', () => {
  it('sees readiness at the nudge instead of the next 100ms tick', async () => {
    const {clock, probe, prober, readyAt} = setup();
    const t0 = clock.now();
    prober.start();
    await clock.advance(130);
    probe.passing = true;
    prober.nudge();
    await clock.advance(0);
    expect(readyAt()).toBe(t0 + 130);
  });

  it('runs at most one nudged check per 20ms, so a chatty starter cannot spin probes', async () => {
    const {clock, probe, prober} = setup();
    prober.start();
    await clock.advance(50);
    const before = probe.calls;
    for (let i = 0; i < 50; i++) {
      prober.nudge();
      await clock.advance(1);
    }
    // 50ms of nudges every 1ms: at most one check per 20ms, plus the 100ms tick.
    expect(probe.calls - before).toBeLessThanOrEqual(4);
    expect(probe.calls - before).toBeGreaterThanOrEqual(2);
  });

  it('is not swallowed by the 10ms startup tick of a cheap probe (a log line seen at once)', async () => {
    // The tick runs at 0, 10, 20, 30ms; the line comes 5ms after the last one.
    const {clock, probe, prober, readyAt} = setup(true);
    const t0 = clock.now();
    prober.start();
    await clock.advance(35);
    probe.passing = true;
    prober.nudge();
    await clock.advance(0);
    expect(readyAt()).toBe(t0 + 35);
  });

  it('keeps the cap on nudged checks beside the 10ms startup tick', async () => {
    const {clock, probe, prober} = setup(true);
    prober.start();
    await clock.advance(50);
    const before = probe.calls;
    for (let i = 0; i < 60; i++) {
      prober.nudge();
      await clock.advance(1);
    }
    // 60ms: 3 nudged checks (every 20ms), each moving the 10ms tick, plus the ticks between.
    expect(probe.calls - before).toBeLessThanOrEqual(9);
    expect(probe.calls - before).toBeGreaterThanOrEqual(3);
  });

  it('does nothing once the service is ready (then only `interval` counts)', async () => {
    const {clock, probe, prober, readyAt} = setup();
    probe.passing = true;
    prober.start();
    await clock.advance(0);
    expect(readyAt()).toBeDefined();
    const calls = probe.calls;
    prober.nudge();
    await clock.advance(10);
    expect(probe.calls).toBe(calls);
  });

  it('runs the nudged check through the clock\'s `soon`, not a 0 ms timer (issue 13.1: a timer waits for the next millisecond)', async () => {
    const clock = new FakeClock();
    const soon: (() => void)[] = [];
    const cancelled: number[] = [];
    const withSoon = Object.assign(clock, {
      soon(fn: () => void) {
        soon.push(fn);
        const index = soon.length - 1;
        return () => cancelled.push(index);
      },
    });
    const probe = new SwitchProbe(true);
    let readyAt: number | undefined;
    const prober = new Prober(probe, health, withSoon, {ready: () => (readyAt = clock.now()), healthy: () => {}, unhealthy: () => {}, probeFailed: () => {}, startTimedOut: () => {}});
    prober.start();
    // The first check is due at once: asked of `soon`, and no timer waits for it.
    expect(soon).toHaveLength(1);
    soon[0]!();
    await flush();
    expect(probe.calls).toBe(1);
    await clock.advance(5);
    probe.passing = true;
    const timersBefore = clock.pending();
    prober.nudge();
    // The 10 ms tick's timer is cancelled and the check waits on no timer of its own.
    expect(soon).toHaveLength(2);
    expect(clock.pending()).toBe(timersBefore - 1);
    expect(readyAt).toBeUndefined();
    soon[1]!();
    await flush();
    expect(probe.calls).toBe(2);
    expect(readyAt).toBe(clock.now());
    // A nudge after ready asks nothing.
    prober.nudge();
    expect(soon).toHaveLength(2);
    expect(cancelled).toEqual([]);
  });
});
