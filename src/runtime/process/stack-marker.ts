import {randomUuid} from '../random-id.js';
import type {Manifest} from '../../manifest/types.js';
import {readEnviron} from './proc-table.js';
import {sha256Hex} from '../sha256-hex.js';

// Every process of a stack carries these variables, so leftovers that escaped their
// process group (setsid daemons) are still found by scanning /proc/*/environ.
export const STACK_MARKER_VAR = 'SIDECAR_STACK_ID';
// One run of the stack (one supervisor's runtime): a stale record of an earlier run
// must not make today's processes of the same project look like its own (issue 9.2).
export const RUN_MARKER_VAR = 'SIDECAR_RUN_ID';

// Stable per project directory: two stacks from two directories never match.
export function stackId(manifest: Manifest): string {
  const hash = sha256Hex(manifest.file).slice(0, 12);
  return `${manifest.name}-${hash}`;
}

// The stack's cgroup directory (DESIGN "Resources"), one per project directory like the marker.
export function cgroupBase(manifest: Manifest): string {
  return `sidecar-${stackId(manifest)}`;
}

// Random, so no process can carry it by chance and none outside this run has it.
export function newRunId(): string {
  return randomUuid();
}

// Whether a process carries the marker of one of these runs. Without any recorded
// run (a record of an older version) only marked processes with no run id match.
export function carriesMarker(pid: number, stack: string | undefined, runIds: ReadonlySet<string>): boolean {
  const env = readEnviron(pid);
  if (!env) return false;
  if (stack !== undefined && env.get(STACK_MARKER_VAR) !== stack) return false;
  const run = env.get(RUN_MARKER_VAR);
  if (runIds.size === 0) return stack !== undefined && run === undefined;
  return run !== undefined && runIds.has(run);
}
