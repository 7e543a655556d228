import {SidecarError} from '../errors/index.js';
import {parseDuration} from '../manifest/duration.js';

// `--timeout 30s`, `--since 5m`: manifest durations on the command line; a bad one
// is a usage error. A bare number is refused: `5` could mean seconds or minutes.
export function durationOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) {
    throw new SidecarError('SIDECAR_USAGE', `--${flag} ${value} has no unit`, {suggestion: `write it with a unit: ${value}s, ${value}m or ${value}ms`});
  }
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new SidecarError('SIDECAR_USAGE', `--${flag} ${value} is not a duration`, {suggestion: `write it like 500ms, 30s or 1m30s`});
  }
  return ms;
}
