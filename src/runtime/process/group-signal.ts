import type {UnitIdentity} from '../types.js';
import {isCurrentBoot, listProcesses, readStat, type ProcStat} from './proc-table.js';
import {carriesMarker} from './stack-marker.js';
import {delay} from './wait.js';

export type ProcessIdentity = Extract<UnitIdentity, {kind: 'process'}>;

// The leader is ours only while pid, start time and boot all match the record
// (containerd and systemd never act on a pid alone).
export function leaderAlive(identity: ProcessIdentity): boolean {
  if (!isCurrentBoot(identity.bootId)) return false;
  const stat = readStat(identity.pid);
  return stat !== null && stat.state !== 'Z' && stat.startTime === identity.startTime;
}

// A recorded leader that is alive (pid, start time and boot match) and carries its
// run's marker: a record is a file, and pid, start time and boot id can be copied
// into it from any process (found by an attacker's trial: a state.json edited to
// name a stranger's, after its supervisor was killed, had `down` kill the stranger).
// Every unit's process is started with the marker in its environment.
export function leaderIsOurs(identity: ProcessIdentity): boolean {
  return leaderAlive(identity) && identity.runId !== undefined && carriesMarker(identity.pid, undefined, new Set([identity.runId]));
}

// Live members of our group. While the verified leader lives (pid, start time, boot,
// and our run's marker) its pgid cannot be reused and only its own session can join
// it, so the whole group is ours. Otherwise a member is ours only if it carries our
// run's marker: never judged by age alone (issue 9.2), nor by a record alone.
export function groupMembers(identity: ProcessIdentity, table: ProcStat[] = listProcesses()): ProcStat[] {
  if (!isCurrentBoot(identity.bootId)) return [];
  // Our groups are led by the unit's pid. Another process holding that pid means the
  // old group died out whole before the pid could be handed out again: a stranger's group.
  const holder = identity.pid === identity.pgid ? readStat(identity.pid) : null;
  if (holder && holder.startTime !== identity.startTime) return [];
  const runs = new Set(identity.runId === undefined ? [] : [identity.runId]);
  if (runs.size === 0) return [];
  const inGroup = table.filter((p) => p.pgid === identity.pgid);
  if (holder && holder.state !== 'Z' && carriesMarker(holder.pid, undefined, runs)) return inGroup;
  return inGroup.filter((p) => carriesMarker(p.pid, undefined, runs));
}

// Signals the whole group when it is verifiably ours; returns whether anything was signalled.
// While the verified leader lives the whole group is ours (see groupMembers): one
// kill(-pgid) without scanning /proc, which costs milliseconds per stop (issue 11.7).
export function signalGroup(identity: ProcessIdentity, signal: NodeJS.Signals, table?: ProcStat[]): boolean {
  if (table === undefined && identity.pid === identity.pgid && leaderAlive(identity)) {
    try {
      process.kill(-identity.pgid, signal);
      return true;
    } catch {
      // Gone meanwhile: the scan below decides.
    }
  }
  table ??= listProcesses();
  const members = groupMembers(identity, table);
  if (members.length === 0) return false;
  return signalVerified(identity.pgid, members, table, signal);
}

// One kill(-pgid) when every process of the group is verified ours: the kernel delivers
// it to the group atomically, so a member forking in a loop cannot leave a child behind.
// Otherwise each verified member alone.
export function signalVerified(pgid: number, members: ProcStat[], table: ProcStat[], signal: NodeJS.Signals): boolean {
  if (members.length === table.filter((p) => p.pgid === pgid).length) {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false;
    }
  }
  return signalEach(members, signal);
}

export function signalEach(members: ProcStat[], signal: NodeJS.Signals): boolean {
  let any = false;
  for (const member of members) {
    const now = readStat(member.pid);
    if (!now || now.startTime !== member.startTime) continue;
    try {
      process.kill(member.pid, signal);
      any = true;
    } catch {
      // Gone between the check and the signal: nothing to do.
    }
  }
  return any;
}

// True once no process at all is in the group: kill(-pgid, 0) failing with ESRCH
// is the kernel's own answer, one system call instead of a scan of /proc. When
// something is still in the group (or the call is refused), the scan decides
// whether what is left is ours.
export function groupGone(identity: ProcessIdentity): boolean {
  if (!isCurrentBoot(identity.bootId) || noProcessIn(identity.pgid)) return true;
  return groupMembers(identity).length === 0;
}

function noProcessIn(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// SIGKILL the group, rescan, again, until no verified member is left or ms have passed:
// a member forking in a loop may have started a child between two scans (issue 9.8).
export async function killGroupUntilGone(identity: ProcessIdentity, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    // Nothing in the group: done without a scan of /proc (issue 13.1; after every
    // exit of a leader that died on its own, and at each stop that had to SIGKILL).
    if (!isCurrentBoot(identity.bootId) || noProcessIn(identity.pgid)) return true;
    const table = listProcesses();
    const members = groupMembers(identity, table);
    if (members.length === 0) return true;
    if (Date.now() > deadline) return false;
    signalVerified(identity.pgid, members, table, 'SIGKILL');
    await delay(10);
  }
}
