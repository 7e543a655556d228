import type {UnitIdentity} from '../types.js';
import {listProcesses, readStat, startedAtOrAfter, type ProcStat} from './proc-table.js';

export type ProcessIdentity = Extract<UnitIdentity, {kind: 'process'}>;

// The leader is ours only while its start time matches the one we recorded.
export function leaderAlive(identity: ProcessIdentity): boolean {
  const stat = readStat(identity.pid);
  return stat !== null && stat.state !== 'Z' && stat.startTime === identity.startTime;
}

// Live members of our group. While any member lives the pgid cannot be reused,
// and a member started before our leader cannot be ours: that is the identity check.
export function groupMembers(identity: ProcessIdentity, table: ProcStat[] = listProcesses()): ProcStat[] {
  return table.filter((p) => p.pgid === identity.pgid && startedAtOrAfter(p, identity.startTime));
}

// Signals the whole group when it is verifiably ours; returns whether anything was signalled.
export function signalGroup(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  const table = listProcesses();
  const members = groupMembers(identity, table);
  if (members.length === 0) return false;
  // A stranger in our pgid is impossible while verified members live; guard anyway.
  if (members.length === table.filter((p) => p.pgid === identity.pgid).length) {
    try {
      process.kill(-identity.pgid, signal);
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
