import {SidecarError} from '../errors/index.js';
import {parseDuration} from '../manifest/duration.js';

// `--since 10m` (relative to now) or `--since 2025-01-02T03:04:05Z`: epoch ms.
export function sinceOption(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms !== undefined) return now - ms;
  const time = Date.parse(value);
  if (!Number.isNaN(time)) return time;
  throw new SidecarError('SIDECAR_USAGE', `--since ${value} is neither a duration nor a time`, {suggestion: 'write a duration like 10m or 1h30m, or an ISO time like 2025-01-02T03:04:05Z'});
}
