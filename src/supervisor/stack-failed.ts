import {SidecarError} from '../errors/index.js';
import {lastLines} from '../output/last-lines.js';
import type {Unit} from './unit.js';

// DESIGN exit 5: name the failing service, why (probe error, exit code) and its last log lines.
export function stackFailed(unit: Unit, reason: string): SidecarError {
  const tail = unit.logTail.length > 0 ? `\n${lastLines(unit.logTail.length)} of ${unit.name}:\n${unit.logTail.map((l) => `  ${l}`).join('\n')}` : `\n(${unit.name} printed nothing)`;
  return new SidecarError('SIDECAR_STACK_FAILED', `${unit.service.role} "${unit.name}" failed: ${reason}${tail}`, {
    suggestion: `check ${unit.name}'s command and health check in the manifest; \`sidecar logs ${unit.name}\` shows its full output`,
  });
}

// The runtime refused to start the unit (a missing workdir or command, a build
// that failed, a taken port): nothing of this attempt ran, so no log lines (they
// would be an earlier run's), and the runtime's own fix where it gives one.
export function startRefused(unit: Unit, error: unknown): SidecarError {
  const reason = error instanceof Error ? error.message : String(error);
  const own = error instanceof SidecarError ? error : undefined;
  return new SidecarError('SIDECAR_STACK_FAILED', `${unit.service.role} "${unit.name}" failed: ${reason}`, {
    suggestion: own?.suggestion ?? `check how ${unit.name} is started in the manifest (command, workdir, image); \`sidecar logs ${unit.name}\` shows what it printed`,
    service: own?.service === undefined ? unit.name : own.service,
    cause: error,
  });
}
