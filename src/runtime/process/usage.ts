import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {listProcesses} from './proc-table.js';
import type {UnitIdentity, UnitUsage} from '../types.js';

// CPU time and resident memory of a unit under the process runtime: every
// member of its process group (a shell's children, a server's workers), read
// from /proc. Only reading: group membership is enough here; signalling keeps
// its stricter identity checks (group-signal.ts).
export function processUsage(identities: UnitIdentity[]): (UnitUsage | undefined)[] {
  const wanted = new Set(identities.flatMap((i) => (i.kind === 'process' ? [i.pgid] : [])));
  const byGroup = new Map<number, UnitUsage>();
  for (const proc of listProcesses()) {
    if (!wanted.has(proc.pgid)) continue;
    const sample = sampleOf(proc.pid);
    if (!sample) continue;
    const sum = byGroup.get(proc.pgid) ?? {cpuSeconds: 0, memoryBytes: 0};
    byGroup.set(proc.pgid, {cpuSeconds: sum.cpuSeconds + sample.cpuSeconds, memoryBytes: sum.memoryBytes + sample.memoryBytes});
  }
  return identities.map((i) => (i.kind === 'process' ? byGroup.get(i.pgid) : undefined));
}

function sampleOf(pid: number): UnitUsage | undefined {
  try {
    return parseUsage(readFileSync(`/proc/${pid}/stat`, 'utf8'), readFileSync(`/proc/${pid}/status`, 'utf8'), clockTicks());
  } catch {
    return undefined;
  }
}

// utime + stime (fields 14 and 15 of /proc/PID/stat, in clock ticks) and VmRSS (kB) of /proc/PID/status.
export function parseUsage(stat: string, status: string, ticksPerSecond: number): UnitUsage | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) return undefined;
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return {cpuSeconds: ticks / ticksPerSecond, memoryBytes: rss ? Number(rss[1]) * 1024 : 0};
}

let ticks: number | undefined;
// USER_HZ: 100 on every Linux build in use; asked once in case it is not.
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8', timeout: 2000}).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}
