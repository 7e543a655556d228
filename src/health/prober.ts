import type {Health, Liveness} from '../manifest/types.js';
import type {Clock, TimerHandle} from '../time/clock.js';
import {CheckCancel, type Probe} from './probe.js';
import {probeTickerOf, type ProbeTicker} from './probe-ticker.js';

// DESIGN 2: probe every 100ms until first ready, so readiness is seen within 150ms.
export const FAST_PROBE_INTERVAL_MS = 100;
// Issue 13.1: a cheap probe (tcp, http, log) checks every STARTUP_TICK_MS for the
// first STARTUP_WINDOW_MS of a start, as a bash loop polling a port does, then every
// 100ms: a service is seen within 10ms of listening however long its own start takes
// (a Node service takes 100-300ms here; the earlier 5ms tick doubling to 100ms saw one
// that listened at 160ms only at 255ms). A refused connect costs ~0.1ms of CPU; a
// failing probe is on the 100ms tick after the first second, as DESIGN says.
export const STARTUP_TICK_MS = 10;
export const STARTUP_WINDOW_MS = 1000;
export const NUDGE_GAP_MS = 20;

export interface ProberEvents {
  // The probe passed for the first time.
  ready(): void;
  // `retries` consecutive failures after ready (outside startPeriod).
  unhealthy(error: string): void;
  // Passing again after unhealthy.
  healthy(): void;
  // Any failed check after ready (for events); before ready failures are only remembered.
  probeFailed(error: string): void;
  // Not ready by startTimeout.
  startTimedOut(lastError: string): void;
}

type Phase = 'starting' | 'healthy' | 'unhealthy' | 'stopped';

// Drives one probe on an injected clock: cadence, timeout, retries, startPeriod, startTimeout.
export class Prober {
  private phase: Phase = 'starting';
  private failures = 0;
  private startedAt = 0;
  private lastError?: string;
  // Cancels the scheduled check.
  private cancelNext?: () => void;
  private deadline?: TimerHandle;
  private inFlight?: CheckCancel;
  private lastNudged = -Infinity;
  private readonly ticker: ProbeTicker;

  // `running`: whether the probed service's own process runs; a check that passes
  // while it does not (after it exited, in backoff) is discarded, neither pass nor
  // failure (issue 8.3: someone else's listener answers on its port).
  constructor(
    private readonly probe: Probe,
    private readonly health: Health | Liveness,
    private readonly clock: Clock,
    private readonly events: ProberEvents,
    private readonly running: () => boolean = () => true,
  ) {
    this.ticker = probeTickerOf(clock);
  }

  // The last failed check's message, if any check failed yet.
  get lastFailure(): string | undefined {
    return this.lastError;
  }

  start(): void {
    this.startedAt = this.clock.now();
    if ('startTimeoutMs' in this.health) {
      const startTimeoutMs = this.health.startTimeoutMs;
      this.deadline = this.clock.setTimeout(() => this.onStartTimeout(startTimeoutMs), startTimeoutMs);
    }
    this.schedule(0);
  }

  // A check of a service that is already ready (a liveness check, Kubernetes
  // livenessProbe): it starts healthy and checks at `interval`; startPeriod counts
  // from the service's start (`since`), as initialDelaySeconds counts from the
  // container's; `retries` failures in a row are `unhealthy`.
  watch(since: number): void {
    this.startedAt = since;
    this.phase = 'healthy';
    this.schedule(since + this.health.startPeriodMs - this.clock.now());
  }

  stop(): void {
    this.phase = 'stopped';
    this.cancelNext?.();
    if (this.deadline !== undefined) this.clock.clearTimeout(this.deadline);
    this.inFlight?.abort();
    this.probe.dispose?.();
  }

  // A starting service just printed something (servers log "listening" when they
  // are; a log check's line is one): check now instead of waiting for the next tick.
  // At most one nudged check per NUDGE_GAP_MS, so a chatty starter cannot spin
  // probes. The gap counts from the last nudged check, not from the last tick: the
  // startup tick (10ms) is shorter than the gap, so counting from it let no nudge
  // through while a cheap probe started, and a line was seen up to 10ms late.
  nudge(): void {
    if (this.phase !== 'starting' || this.inFlight !== undefined) return;
    if (this.clock.now() - this.lastNudged < NUDGE_GAP_MS) return;
    this.lastNudged = this.clock.now();
    this.cancelNext?.();
    this.schedule(0);
  }

  // A check due now runs as soon as the I/O at hand is handled: a 0 ms timer waits
  // for the loop's next millisecond, which delayed every nudged check by 0-2 ms
  // (issue 13.1: ~1.5 ms per service in a trace of the quickstart). The lines of one
  // chunk are all remembered before it runs, so a log check sees each of them.
  private schedule(ms: number): void {
    if (this.phase === 'stopped') return;
    if (ms <= 0 && this.clock.soon) {
      this.cancelNext = this.clock.soon(() => this.runOnce());
      return;
    }
    const timer = this.clock.setTimeout(() => this.runOnce(), Math.max(0, ms));
    this.cancelNext = () => this.clock.clearTimeout(timer);
  }

  // A periodic check (after ready) runs on the shared tick of its interval (probe-ticker.ts).
  private scheduleAt(wanted: number): void {
    if (this.phase === 'stopped') return;
    this.cancelNext = this.ticker.at(this.ticker.align(wanted, this.health.intervalMs), () => this.runOnce());
  }

  // One check, then the next one scheduled. Plain callbacks, not async functions:
  // five checks a second are most of an idle supervisor's work (issue 13.4).
  private runOnce(): void {
    const began = this.clock.now();
    const cancel = new CheckCancel();
    this.inFlight = cancel;
    let finished = false;
    const finish = (error: string | undefined) => {
      if (finished) return;
      finished = true;
      this.clock.clearTimeout(timer);
      this.inFlight = undefined;
      this.afterCheck(began, error);
    };
    // A timeout counts as a failure.
    const timer = this.clock.setTimeout(() => {
      cancel.abort();
      finish(`${this.probe.description}: timed out after ${this.health.timeoutMs}ms`);
    }, this.health.timeoutMs);
    let checking: Promise<void>;
    try {
      checking = this.probe.check(cancel);
    } catch (error) {
      checking = Promise.reject(error);
    }
    checking.then(
      () => finish(undefined),
      (error: unknown) => finish(error instanceof Error ? error.message : String(error)),
    );
  }

  private afterCheck(began: number, error: string | undefined): void {
    if (this.phase === 'stopped') return;
    if (error !== undefined) this.onFail(error);
    // A pass of a healthy probe with no failure behind it changes nothing: the check of
    // the unit's own process (a /proc read) is skipped then (issue 13.4: idle cost).
    else if ((this.phase === 'healthy' && this.failures === 0) || this.running()) this.onPass();
    if (this.phase === 'starting') this.schedule(this.nextTick() - (this.clock.now() - began));
    else this.scheduleAt(began + this.health.intervalMs);
  }

  // Starting: the short tick in the first second of a cheap probe, then the fast interval.
  private nextTick(): number {
    return this.probe.cheap && this.clock.now() - this.startedAt < STARTUP_WINDOW_MS ? STARTUP_TICK_MS : FAST_PROBE_INTERVAL_MS;
  }

  private onPass(): void {
    this.failures = 0;
    if (this.phase === 'starting') {
      this.phase = 'healthy';
      if (this.deadline !== undefined) this.clock.clearTimeout(this.deadline);
      this.events.ready();
    } else if (this.phase === 'unhealthy') {
      this.phase = 'healthy';
      this.events.healthy();
    }
  }

  private onFail(error: string): void {
    this.lastError = error;
    if (this.phase === 'starting') return;
    this.events.probeFailed(error);
    if (this.clock.now() - this.startedAt < this.health.startPeriodMs) return;
    this.failures++;
    if (this.phase === 'healthy' && this.failures >= this.health.retries) {
      this.phase = 'unhealthy';
      this.events.unhealthy(error);
    }
  }

  private onStartTimeout(startTimeoutMs: number): void {
    if (this.phase !== 'starting') return;
    this.stop();
    this.events.startTimedOut(`not ready after ${startTimeoutMs}ms: ${this.lastError ?? `${this.probe.description}: no check finished`}`);
  }
}
