import {SidecarError} from '../errors/index.js';
import {durationRangeProblem, parseDurationText, type DurationRange} from '../manifest/duration.js';

// What a timer can wait (Node's limit is 2^31-1 ms, about 24.8 days), in whole days.
const FLAG_RANGE: DurationRange = {minMs: 0, maxMs: 24 * 24 * 3_600_000};

// `--timeout 30s`, `--since 5m`: manifest durations on the command line; a bad one
// is a usage error. A bare number is refused: `5` could mean seconds or minutes.
export function durationOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) {
    throw new SidecarError('SIDECAR_USAGE', `--${flag} ${value} has no unit`, {suggestion: `write it with a unit: ${value}s, ${value}m or ${value}ms`});
  }
  const ms = parseDurationText(value);
  if (ms === undefined) {
    throw new SidecarError('SIDECAR_USAGE', `--${flag} ${value} is not a duration`, {suggestion: `write it like 500ms, 30s or 1m30s`});
  }
  // A duration too long for a timer is a duration still: say the range, not "not a duration".
  const wrong = durationRangeProblem(`--${flag} ${value}`, ms, FLAG_RANGE);
  if (wrong) throw new SidecarError('SIDECAR_USAGE', wrong.message, {suggestion: wrong.suggestion});
  return ms;
}
