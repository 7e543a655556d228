import {describe, expect, it} from 'vitest';
import {Prober} from '../../../src/health/prober.js';
import type {CheckCancel, Probe} from '../../../src/health/probe.js';
import type {Health} from '../../../src/manifest/types.js';
import {FakeClock} from '../../helpers/fake-clock.js';

// A probe whose answer the test sets; counts calls.
class SwitchProbe implements Probe {
  readonly description = 'switch';
  passing = false;
  hang = false;
  calls = 0;
  async check(cancel: CheckCancel): Promise<void> {
    this.calls++;
    if (this.hang) await new Promise((_resolve, reject) => cancel.onAbort(() => reject(new Error('aborted'))));
    if (!this.passing) throw new Error('connection refused');
  }
}

const health = (overrides: Partial<Health> = {}): Health => ({check: {kind: 'tcp', port: 1}, intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000, ...overrides});

function setup(h: Health = health()) {
  const clock = new FakeClock();
  const probe = new SwitchProbe();
  const seen: string[] = [];
  const at: Record<string, number> = {};
  const mark = (name: string) => (detail?: string) => {
    seen.push(detail ? `${name}: ${detail}` : name);
    at[name] = clock.now();
  };
  const prober = new Prober(probe, h, clock, {ready: mark('ready'), healthy: mark('healthy'), unhealthy: mark('unhealthy'), probeFailed: mark('probeFailed'), startTimedOut: mark('startTimedOut')});
  return {clock, probe, seen, at, prober, t0: clock.now()};
}

describe('Prober (DESIGN 2)', () => {
  it('probes every 100ms until ready, so readiness is seen within 150ms', async () => {
    const {clock, probe, at, prober, t0} = setup();
    prober.start();
    await clock.advance(1230);
    expect(probe.calls).toBe(13);
    probe.passing = true;
    await clock.advance(150);
    expect(at.ready! - (t0 + 1230)).toBeLessThanOrEqual(150);
    prober.stop();
  });

  it('then probes at interval, and turns unhealthy after `retries` consecutive failures', async () => {
    const {clock, probe, seen, prober} = setup();
    probe.passing = true;
    prober.start();
    await clock.advance(10);
    const callsAtReady = probe.calls;
    await clock.advance(3000);
    expect(probe.calls - callsAtReady).toBe(3);
    probe.passing = false;
    await clock.advance(2000);
    expect(seen).not.toContain('unhealthy: connection refused');
    await clock.advance(1000);
    expect(seen.filter((s) => s.startsWith('probeFailed'))).toHaveLength(3);
    expect(seen).toContain('unhealthy: connection refused');
    probe.passing = true;
    await clock.advance(1000);
    expect(seen.at(-1)).toBe('healthy');
    prober.stop();
  });

  it('a success in between resets the consecutive failure count', async () => {
    const {clock, probe, seen, prober} = setup();
    probe.passing = true;
    prober.start();
    await clock.advance(10);
    for (let i = 0; i < 4; i++) {
      probe.passing = false;
      await clock.advance(2000);
      probe.passing = true;
      await clock.advance(1000);
    }
    expect(seen).not.toContain('unhealthy: connection refused');
    prober.stop();
  });

  it('ignores failures during startPeriod', async () => {
    const {clock, probe, seen, prober} = setup(health({startPeriodMs: 10_000}));
    probe.passing = true;
    prober.start();
    await clock.advance(10);
    probe.passing = false;
    await clock.advance(9000);
    expect(seen.some((s) => s.startsWith('unhealthy'))).toBe(false);
    await clock.advance(4000);
    expect(seen.some((s) => s.startsWith('unhealthy'))).toBe(true);
    prober.stop();
  });

  it('counts a check that exceeds `timeout` as a failure', async () => {
    const {clock, probe, seen, prober} = setup(health({retries: 1}));
    probe.passing = true;
    prober.start();
    await clock.advance(10);
    probe.hang = true;
    await clock.advance(1600);
    expect(seen).toContain('unhealthy: switch: timed out after 500ms');
    prober.stop();
  });

  it('reports a start timeout with the last probe error when never ready', async () => {
    const {clock, seen, prober} = setup(health({startTimeoutMs: 2000}));
    prober.start();
    await clock.advance(1999);
    expect(seen).toEqual([]);
    await clock.advance(1);
    expect(seen).toEqual(['startTimedOut: not ready after 2000ms: connection refused']);
    expect(clock.pending()).toBe(0);
  });
});
