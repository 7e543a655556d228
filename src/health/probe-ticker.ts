import type {Clock, TimerHandle} from '../time/clock.js';

// Issue 13.4: periodic checks share one wakeup. An idle supervisor whose five
// probes at 1s each fired on their own timer woke the event loop some 25 times a
// second (each check's timer, connect, answer and close in separate turns); with
// their due times on one grid the five run in one timer and their sockets' events
// arrive together, which halves the CPU of a check. The grid's origin is the
// ticker's birth, so two supervisors do not check in lockstep (systemd spreads its
// coalesced timers per machine the same way, AccuracySec=/RandomizedDelaySec=).
//
// What a probe's contract says stays true: consecutive periodic checks are
// `interval` apart, and the first one after ready comes within `interval` (never
// later); only its phase moves, which Kubernetes does not fix either (kubelet's
// probe workers start after a random part of the period).
export class ProbeTicker {
  private readonly origin: number;
  // One timer per due time, running every callback due then.
  private readonly slots = new Map<number, {timer: TimerHandle; callbacks: Set<() => void>}>();

  constructor(private readonly clock: Clock) {
    this.origin = clock.now();
  }

  // The due time of a periodic check wanted at `wanted`: the grid point of its
  // interval at or before it, or now when that point is already past.
  align(wanted: number, intervalMs: number): number {
    const point = wanted - ((((wanted - this.origin) % intervalMs) + intervalMs) % intervalMs);
    return Math.max(point, this.clock.now());
  }

  // Runs fn at `time` with everything else due then; returns its cancel.
  at(time: number, fn: () => void): () => void {
    let slot = this.slots.get(time);
    if (!slot) {
      const callbacks = new Set<() => void>();
      const timer = this.clock.setTimeout(() => {
        this.slots.delete(time);
        for (const callback of callbacks) callback();
      }, time - this.clock.now());
      slot = {timer, callbacks};
      this.slots.set(time, slot);
    }
    const {callbacks, timer} = slot;
    const wrapped = () => fn();
    callbacks.add(wrapped);
    return () => {
      if (!callbacks.delete(wrapped) || callbacks.size > 0 || this.slots.get(time)?.timer !== timer) return;
      this.clock.clearTimeout(timer);
      this.slots.delete(time);
    };
  }
}

// The probers of one supervisor share the ticker of their clock.
const tickers = new WeakMap<Clock, ProbeTicker>();

export function probeTickerOf(clock: Clock): ProbeTicker {
  let ticker = tickers.get(clock);
  if (!ticker) {
    ticker = new ProbeTicker(clock);
    tickers.set(clock, ticker);
  }
  return ticker;
}
