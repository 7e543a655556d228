const UNIT_MS = {ms: 1, s: 1000, m: 60_000, h: 3_600_000} as const;

// Node's timers hold a signed 32-bit millisecond count: setTimeout(fn, 2 ** 31)
// fires after 1 ms (issue 9.10: `stopTimeout: 1000h` killed at once).
export const MAX_TIMER_MS = 2 ** 31 - 1;
const DAY_MS = 24 * 3_600_000;

// `250ms`, `2s`, `1m30s` → milliseconds; undefined when it is not a duration or
// is longer than any timer can wait (so command-line flags never overflow a timer).
export function parseDuration(text: string): number | undefined {
  const ms = parseDurationText(text);
  return ms !== undefined && ms <= MAX_TIMER_MS ? ms : undefined;
}

// The same syntax without the timer limit: the manifest reports the range itself.
export function parseDurationText(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return Number.isFinite(total) ? Math.round(total) : Number.POSITIVE_INFINITY;
}

export interface DurationRange {
  minMs: number;
  maxMs: number;
  // Why the minimum, for the message.
  why?: string;
}

// Sane range per manifest field (issue 9.10): nothing waits more than a day, and
// a probe interval under 100ms (the readiness poll) would spin the CPU. Kubernetes
// bounds the same fields from below (periodSeconds >= 1, timeoutSeconds >= 1).
export const DURATION_RANGES: Record<'interval' | 'timeout' | 'startPeriod' | 'startTimeout' | 'stopTimeout', DurationRange> = {
  interval: {minMs: 100, maxMs: DAY_MS, why: 'probes more often than every 100ms only burn CPU'},
  timeout: {minMs: 10, maxMs: DAY_MS, why: 'a probe needs time to answer'},
  startPeriod: {minMs: 0, maxMs: DAY_MS},
  startTimeout: {minMs: 100, maxMs: DAY_MS, why: 'a service needs time to become ready'},
  stopTimeout: {minMs: 0, maxMs: DAY_MS},
};

// What is wrong with `ms` for a field of this range, with the fix; undefined when fine.
export function durationRangeProblem(text: string, ms: number, range: DurationRange): {message: string; suggestion: string} | undefined {
  const span = `from ${formatDuration(range.minMs)} to ${formatDuration(range.maxMs)}`;
  if (ms > range.maxMs) return {message: `${text} is longer than ${formatDuration(range.maxMs)}`, suggestion: `use a duration ${span}`};
  if (ms < range.minMs) return {message: `${text} is shorter than ${formatDuration(range.minMs)}${range.why ? `: ${range.why}` : ''}`, suggestion: `use a duration ${span}`};
  return undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
