import type {Random} from '../time/clock.js';

// DESIGN 4: 250ms, doubling, capped at 30s, ±10% jitter, reset after 30s healthy.
export const BACKOFF = {initialMs: 250, maxMs: 30_000, jitter: 0.1, resetAfterMs: 30_000} as const;

// The delay before restart number attempt+1 without jitter (attempt 0 is the first restart).
function baseDelay(attempt: number): number {
  return Math.min(BACKOFF.initialMs * 2 ** Math.min(attempt, 30), BACKOFF.maxMs);
}

// Delay before restart number attempt+1 (attempt 0 is the first restart).
export function backoffDelay(attempt: number, random: Random): number {
  const jittered = baseDelay(attempt) * (1 + (random() * 2 - 1) * BACKOFF.jitter);
  return Math.round(Math.min(jittered, BACKOFF.maxMs));
}

// The shortest delay DESIGN 4 allows before restart number attempt+1: the jitter's low end.
export function earliestDelay(attempt: number): number {
  return baseDelay(attempt) * (1 - BACKOFF.jitter);
}

// The attempt counter to use after an exit: back to 0 once the unit ran healthy long enough.
export function attemptAfterExit(attempt: number, healthySince: number | undefined, now: number): number {
  if (healthySince !== undefined && now - healthySince >= BACKOFF.resetAfterMs) return 0;
  return attempt;
}
