import {createHash} from 'node:crypto';
import type {Manifest} from '../../manifest/types.js';

// Every process of a stack carries this variable, so leftovers that escaped their
// process group (setsid daemons) are still found by scanning /proc/*/environ.
export const STACK_MARKER_VAR = 'SIDECAR_STACK_ID';

// Stable per project directory: two stacks from two directories never match.
export function stackId(manifest: Manifest): string {
  const hash = createHash('sha256').update(manifest.file).digest('hex').slice(0, 12);
  return `${manifest.name}-${hash}`;
}
