import {lastLines} from '../output/last-lines.js';
import {closeSync, openSync, readSync, statSync} from 'node:fs';
import {SidecarError} from '../errors/index.js';
import {formatDuration} from '../manifest/duration.js';
import {readStateRecord, type FailureRecord} from './state-file.js';
import type {ServiceStatus} from '../supervisor/types.js';
import type {ProjectFiles} from './project-files.js';

const isReady = (s: ServiceStatus): boolean =>
  s.role === 'init' ? s.state === 'exited' && s.exitCode === 0 : s.state === 'running' && (s.health === 'healthy' || s.health === 'none');

// The service to blame: a failed one, else one with an error, else the first not ready.
export function culprit(statuses: ServiceStatus[]): ServiceStatus | undefined {
  return (
    statuses.find((s) => s.state === 'failed') ??
    statuses.find((s) => s.lastError !== undefined && !isReady(s)) ??
    statuses.find((s) => s.state !== 'pending' && !isReady(s)) ??
    statuses.find((s) => !isReady(s))
  );
}

// What `up --wait` and `run` print when the stack did not come up (issue 3 point 5):
// the failing service's probe error and its last 20 log lines.
export function startFailure(statuses: ServiceStatus[], error: unknown, recentLines: (service: string) => string[]): FailureRecord {
  const reason = error instanceof Error ? error.message : String(error);
  // The runtime said what failed (issue 8.8: the pod, an image, a service's port).
  if (error instanceof SidecarError && error.service !== undefined) {
    return {service: error.service, message: reason, lastLines: [], ...(error.suggestion ? {suggestion: error.suggestion} : {})};
  }
  // The supervisor's own failure already names the unit and carries its last lines.
  const named = /^(?:app|sidecar|init) "([^"]+)" failed: /.exec(reason);
  if (named) return {service: named[1]!, message: reason, lastLines: []};
  const service = culprit(statuses);
  const detail = service?.lastError && !reason.includes(service.lastError) ? `${reason}: ${service.lastError}` : reason;
  // --timeout ran out: a larger one is the likely fix (found by a new user's trial: it said "see logs").
  const suggestion = error instanceof DeadlineError ? `give it longer (--timeout ${formatDuration(error.ms > 0 ? error.ms * 2 : 60_000)}), or see \`sidecar logs${service ? ` ${service.name}` : ''}\` for what it waits on` : undefined;
  return {service: service?.name ?? null, message: detail, lastLines: service ? recentLines(service.name) : [], ...(suggestion ? {suggestion} : {})};
}

// `up --timeout` ran out before every service was ready.
export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`not ready within ${formatDuration(ms)} (--timeout)`);
  }
}

// The one error block for a failed start; the log lines go below the message.
export function failureError(failure: FailureRecord): SidecarError {
  // Not a failure of the stack: nothing to fix, say what happened (still exit 5: it is not ready).
  if (failure.stopped) return new SidecarError('SIDECAR_STACK_FAILED', `the stack was ${failure.message}`, {suggestion: '`sidecar up` starts it again'});
  const who = failure.service && !failure.message.includes(`"${failure.service}"`) ? `service "${failure.service}" ` : '';
  const lines = failure.lastLines.length > 0 ? `\n  ${lastLines(failure.lastLines.length)} of ${failure.service}:\n${failure.lastLines.map((l) => `    | ${l}`).join('\n')}` : '';
  return new SidecarError('SIDECAR_STACK_FAILED', `the stack failed to start: ${who}${failure.message}${lines}`, {
    suggestion: failure.suggestion ?? (failure.service ? `see \`sidecar logs ${failure.service}\`, fix it, then run \`sidecar up\` again` : 'see `sidecar logs`, then run `sidecar up` again'),
  });
}

// Where this run begins in the files an earlier run left: taken before the
// detached supervisor is spawned, so that only what this run wrote is read.
export interface RunMark {
  time: number;
  logOffset: number;
}

export function markRun(files: ProjectFiles): RunMark {
  let logOffset = 0;
  try {
    logOffset = statSync(files.supervisorLog).size;
  } catch {
    // No log yet: this run starts it.
  }
  return {time: Date.now(), logOffset};
}

// A detached supervisor that exited before it answered (issue 8.6): the failure
// it recorded in state.json in this run, the same block foreground `up` prints;
// else what it printed in this run (a manifest it could not read, a lock), never
// the lines of earlier runs.
export function earlyExitError(files: ProjectFiles, code: number | null, mark: RunMark): SidecarError {
  const state = readStateRecord(files.state);
  if (state?.failure && state.updatedAt >= mark.time) return failureError(state.failure);
  const printed = readFrom(files.supervisorLog, mark.logOffset).trimEnd().split('\n').filter((line) => line !== '').slice(-12);
  const how = code === null ? 'was killed by a signal' : `exited with code ${code}`;
  return new SidecarError('SIDECAR_STACK_FAILED', `the supervisor ${how} before it answered${printed.length > 0 ? `:\n${printed.map((line) => `    ${line}`).join('\n')}` : ''}`, {
    suggestion: `see ${files.supervisorLog}`,
    ...(code === 2 || code === 3 || code === 4 ? {exitCode: code} : {}),
  });
}

function readFrom(file: string, offset: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = statSync(file).size;
    // Capped: only the end of it is shown anyway.
    const start = Math.max(offset, size - 64 * 1024);
    if (size <= start) return '';
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
