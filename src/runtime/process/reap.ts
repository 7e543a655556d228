import type {Manifest} from '../../manifest/types.js';
import {allServices} from '../../manifest/types.js';
import type {UnitIdentity} from '../types.js';
import {groupMembers, signalVerified, type ProcessIdentity} from './group-signal.js';
import {currentBootId, listProcesses, type ProcStat} from './proc-table.js';
import {carriesMarker, stackId} from './stack-marker.js';
import {delay} from './wait.js';

// Longest grace a reaped survivor gets; `down` must stay bounded even with odd manifests.
const MAX_REAP_GRACE_MS = 10_000;
// After the grace: SIGKILL, rescan, SIGKILL what appeared meanwhile (a forking loop), until
// nothing of ours is left or this much time has passed.
const KILL_ROUNDS_MS = 3000;
const SCAN_STEP_MS = 100;

export interface ReapOptions {
  graceMs?: number;
  // Runs whose marked processes are ours (state.json records the run); the runs of `known` count too.
  runIds?: Iterable<string>;
  // Start time (/proc ticks) before which no process can carry these runs'
  // marker: a live runtime's own run was made in this process, so only what
  // started after it can carry it, and the environment of older processes
  // (most of the host) is not read (issue 13.1: every stop ends with this scan).
  startedAfter?: string;
}

// Everything of this stack still alive: members of recorded groups (identity-checked)
// and any process carrying this stack's run marker (escaped its group with setsid).
export function findSurvivors(manifest: Manifest, known: UnitIdentity[], runIds: Iterable<string> = [], table: ProcStat[] = listProcesses(), startedAfter?: string): ProcStat[] {
  const found = new Map<number, ProcStat>();
  for (const identity of known) {
    if (identity.kind !== 'process') continue;
    for (const member of groupMembers(identity, table)) found.set(member.pid, member);
  }
  const runs = new Set([...runIds, ...known.flatMap((i) => (i.kind === 'process' && i.runId !== undefined ? [i.runId] : []))]);
  const stack = stackId(manifest);
  const oldest = startedAfter === undefined ? undefined : Number(startedAfter);
  for (const row of table) {
    if (row.pid === process.pid || found.has(row.pid)) continue;
    if (oldest !== undefined && Number(row.startTime) < oldest) continue;
    if (carriesMarker(row.pid, stack, runs)) found.set(row.pid, row);
  }
  found.delete(process.pid);
  return [...found.values()];
}

// Whole groups where every member is ours (one atomic kill(-pgid)), single processes otherwise.
function signalSurvivors(survivors: ProcStat[], table: ProcStat[], signal: NodeJS.Signals): void {
  const groups = new Map<number, ProcStat[]>();
  for (const s of survivors) groups.set(s.pgid, [...(groups.get(s.pgid) ?? []), s]);
  for (const [pgid, members] of groups) signalVerified(pgid, members, table, signal);
}

// SIGTERM every verified survivor, SIGKILL what is left after the longest stopTimeout,
// rescanning each round: a snapshot signalled pid by pid misses what a forking service
// starts meanwhile (issue 9.8), so loop until nothing carries our marker (bounded).
export async function reapSurvivors(manifest: Manifest, known: UnitIdentity[], options: ReapOptions = {}): Promise<UnitIdentity[]> {
  const runIds = [...(options.runIds ?? [])];
  const seen = new Map<number, ProcStat>();
  const scan = (): {table: ProcStat[]; survivors: ProcStat[]} => {
    const table = listProcesses();
    const survivors = findSurvivors(manifest, known, runIds, table, options.startedAfter);
    for (const s of survivors) seen.set(s.pid, s);
    return {table, survivors};
  };
  let current = scan();
  if (current.survivors.length === 0) return [];
  signalSurvivors(current.survivors, current.table, 'SIGTERM');
  const grace = options.graceMs ?? Math.min(MAX_REAP_GRACE_MS, Math.max(0, ...allServices(manifest).map((s) => s.stopTimeoutMs)));
  const termDeadline = Date.now() + grace;
  while (Date.now() < termDeadline) {
    await delay(Math.min(SCAN_STEP_MS, Math.max(0, termDeadline - Date.now())));
    current = scan();
    if (current.survivors.length === 0) return identities(seen);
  }
  const killDeadline = Date.now() + KILL_ROUNDS_MS;
  for (;;) {
    current = scan();
    if (current.survivors.length === 0 || Date.now() > killDeadline) break;
    signalSurvivors(current.survivors, current.table, 'SIGKILL');
    await delay(10);
  }
  return identities(seen);
}

function identities(seen: Map<number, ProcStat>): UnitIdentity[] {
  const bootId = currentBootId();
  return [...seen.values()].map((s): ProcessIdentity => ({kind: 'process', pid: s.pid, pgid: s.pgid, startTime: s.startTime, ...(bootId ? {bootId} : {})}));
}
