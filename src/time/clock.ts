// Time is injected so backoff, probes and timeouts run in fake time in unit tests.
export type TimerHandle = {readonly id: number} | ReturnType<typeof setTimeout>;

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  // Runs fn once the I/O callbacks at hand are done, without the 1 ms floor of a
  // 0 ms timer (a check nudged by a service's output, issue 13.1); returns its cancel.
  // A clock without it (a test's) runs fn as a 0 ms timeout.
  soon?(fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  soon: (fn) => {
    const immediate = setImmediate(fn);
    return () => clearImmediate(immediate);
  },
};

// Resolves after ms on the given clock.
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

// Random source for jitter, injected so tests are deterministic.
export type Random = () => number;
