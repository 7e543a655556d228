import {describe, expect, it} from 'vitest';
import {FAST_PROBE_INTERVAL_MS, Prober, STARTUP_TICK_MS, STARTUP_WINDOW_MS} from '../../../src/health/prober.js';
import type {Probe} from '../../../src/health/probe.js';
import type {Health} from '../../../src/manifest/types.js';
import {FakeClock} from '../../helpers/fake-clock.js';

// Issue 13.1: cheap probes (tcp, http, log) check every 10ms for the first second of
// a start, as a bash loop polling a port does, then every 100ms; DESIGN's numbers
// for a failing probe stay true.
class TimedProbe implements Probe {
  readonly description = 'timed';
  readonly calls: number[] = [];
  passingFrom = Infinity;
  constructor(private readonly clock: FakeClock, readonly cheap: boolean) {}
  async check(): Promise<void> {
    this.calls.push(this.clock.now());
    if (this.clock.now() < this.passingFrom) throw new Error('connection refused');
  }
}

const health = (overrides: Partial<Health> = {}): Health => ({check: {kind: 'tcp', port: 1}, intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000, ...overrides});

function setup(cheap: boolean, h: Health = health()) {
  const clock = new FakeClock();
  const probe = new TimedProbe(clock, cheap);
  const seen: {type: string; at: number}[] = [];
  const mark = (type: string) => () => void seen.push({type, at: clock.now() - t0});
  const prober = new Prober(probe, h, clock, {ready: mark('ready'), healthy: mark('healthy'), unhealthy: mark('unhealthy'), probeFailed: mark('probeFailed'), startTimedOut: mark('startTimedOut')});
  const t0 = clock.now();
  return {clock, probe, seen, prober, t0, calls: () => probe.calls.map((t) => t - t0)};
}

describe('Prober start-up tick (issue 13.1)', () => {
  it('checks a cheap probe every 10ms for the first second, then every 100ms', async () => {
    const {clock, prober, calls} = setup(true);
    prober.start();
    await clock.advance(1250);
    const first = Array.from({length: STARTUP_WINDOW_MS / STARTUP_TICK_MS + 1}, (_v, i) => i * STARTUP_TICK_MS);
    expect(calls()).toEqual([...first, STARTUP_WINDOW_MS + FAST_PROBE_INTERVAL_MS, STARTUP_WINDOW_MS + 2 * FAST_PROBE_INTERVAL_MS]);
    prober.stop();
  });

  it('sees a service that starts listening at 160ms by 160ms, where the fixed tick sees it at 200ms', async () => {
    // A Node service here listens 100-300ms after its start; the earlier tick
    // (5ms doubling to 100ms: 0, 5, 15, 35, 75, 155, 255) saw this one at 255ms.
    const cheap = setup(true);
    cheap.probe.passingFrom = cheap.t0 + 160;
    cheap.prober.start();
    await cheap.clock.advance(400);
    expect(cheap.seen.find((e) => e.type === 'ready')?.at).toBe(160);

    const fixed = setup(false);
    fixed.probe.passingFrom = fixed.t0 + 160;
    fixed.prober.start();
    await fixed.clock.advance(400);
    expect(fixed.seen.find((e) => e.type === 'ready')?.at).toBe(200);
  });

  it('sees a service that listens at 733ms within one short tick', async () => {
    const cheap = setup(true);
    cheap.probe.passingFrom = cheap.t0 + 733;
    cheap.prober.start();
    await cheap.clock.advance(1000);
    expect(cheap.seen.find((e) => e.type === 'ready')?.at).toBe(740);
  });

  it('keeps the 100ms tick from the start for a probe that is not cheap (an exec spawns a process)', async () => {
    const {clock, prober, calls} = setup(false);
    prober.start();
    await clock.advance(350);
    expect(calls()).toEqual([0, 100, 200, 300]);
    prober.stop();
  });

  it('a cheap probe that never passes: start timeout at startTimeout exactly, no failure events before ready', async () => {
    const {clock, seen, prober, calls} = setup(true, health({startTimeoutMs: 2000}));
    prober.start();
    await clock.advance(2500);
    expect(seen.map((e) => e.type)).toEqual(['startTimedOut']);
    expect(seen[0]!.at).toBe(2000);
    // Settled on the fast interval: ten checks in each further second.
    expect(calls().filter((t) => t >= 1000 && t < 2000)).toHaveLength(10);
  });

  it('after ready a cheap probe runs at interval and turns unhealthy after `retries` failures, as before', async () => {
    const {clock, probe, seen, prober, calls} = setup(true);
    probe.passingFrom = 0;
    prober.start();
    await clock.advance(10);
    expect(seen.map((e) => e.type)).toEqual(['ready']);
    probe.passingFrom = Infinity;
    await clock.advance(3000);
    expect(calls()).toEqual([0, 1000, 2000, 3000]);
    expect(seen.map((e) => `${e.type}@${e.at}`)).toEqual(['ready@0', 'probeFailed@1000', 'probeFailed@2000', 'probeFailed@3000', 'unhealthy@3000']);
    prober.stop();
  });
});
