import type {Manifest} from '../../manifest/types.js';
import {servicesInStartOrder} from '../../manifest/types.js';
import type {UnitIdentity} from '../types.js';
import {groupMembers, signalEach, type ProcessIdentity} from './group-signal.js';
import {listProcesses, readEnviron, readStat, type ProcStat} from './proc-table.js';
import {STACK_MARKER_VAR, stackId} from './stack-marker.js';
import {pollUntil} from './wait.js';

// Longest grace a reaped survivor gets; `down` must stay bounded even with odd manifests.
const MAX_REAP_GRACE_MS = 10_000;

// Everything of this stack still alive: members of recorded groups (identity-checked)
// and any process carrying the stack marker (escaped its group with setsid).
export function findSurvivors(manifest: Manifest, known: UnitIdentity[]): ProcStat[] {
  const table = listProcesses();
  const found = new Map<number, ProcStat>();
  for (const identity of known) {
    if (identity.kind !== 'process') continue;
    for (const member of groupMembers(identity, table)) found.set(member.pid, member);
  }
  const marker = stackId(manifest);
  for (const row of table) {
    if (row.pid === process.pid || found.has(row.pid)) continue;
    if (readEnviron(row.pid)?.get(STACK_MARKER_VAR) === marker) found.set(row.pid, row);
  }
  return [...found.values()];
}

// SIGTERM every verified survivor, SIGKILL what is left after the longest stopTimeout.
export async function reapSurvivors(manifest: Manifest, known: UnitIdentity[], graceMs?: number): Promise<UnitIdentity[]> {
  const survivors = findSurvivors(manifest, known);
  if (survivors.length === 0) return [];
  signalEach(survivors, 'SIGTERM');
  const grace = graceMs ?? Math.min(MAX_REAP_GRACE_MS, Math.max(0, ...servicesInStartOrder(manifest).map((s) => s.stopTimeoutMs)));
  const gone = () => survivors.every((s) => readStat(s.pid)?.startTime !== s.startTime || readStat(s.pid)?.state === 'Z');
  if (!(await pollUntil(gone, grace))) {
    signalEach(survivors, 'SIGKILL');
    await pollUntil(gone, 1000);
  }
  return survivors.map((s): ProcessIdentity => ({kind: 'process', pid: s.pid, pgid: s.pgid, startTime: s.startTime}));
}
