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
