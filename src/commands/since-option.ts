import {SidecarError} from '../errors/index.js';
import {durationOption} from './duration-option.js';

// `--since 10m` (relative to now) or `--since 2025-01-02T03:04:05Z`: epoch ms.
// A time must look like an ISO date: Date.parse also takes "5" (the year 2005).
export function sinceOption(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return time;
  }
  if (/^[\d.]+[a-z]/i.test(value) || /^[\d.]+$/.test(value)) return now - durationOption('since', value)!;
  throw new SidecarError('SIDECAR_USAGE', `--since ${value} is neither a duration nor a time`, {suggestion: 'write a duration like 10m or 1h30m, or an ISO time like 2025-01-02T03:04:05Z'});
}
