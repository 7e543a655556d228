import {readdirSync, readFileSync} from 'node:fs';

// One row of /proc/<pid>/stat: what identity checks need.
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  // Field 22: start time in clock ticks since boot; with the pid it names one process forever.
  startTime: string;
  // Field 52 (Linux 3.5+): a zombie's exit status, as waitpid gives it.
  exitStatus?: number;
}

// Parses /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses.
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const pid = Number.parseInt(text.slice(0, text.indexOf(' ')), 10);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const startTime = fields[19];
  if (!Number.isFinite(pid) || startTime === undefined) return null;
  const exitStatus = Number(fields[49]);
  return {pid, state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime, ...(Number.isInteger(exitStatus) ? {exitStatus} : {})};
}

export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

// How often the expensive reads of /proc ran in this process (issue 13.1): a scan
// of every process, or a read of /proc/net, costs 5-25 ms here. Counted so that
// tests can hold the hot paths (start, stop) to none when nothing needs them.
export const procReads = {scans: 0, net: 0};

// Every live (non-zombie) process on the host; zombies cannot be signalled into doing anything.
export function listProcesses(): ProcStat[] {
  procReads.scans++;
  const rows: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') rows.push(stat);
  }
  return rows;
}

// The environment a process started with, or null if it is gone or not readable.
export function readEnviron(pid: number): Map<string, string> | null {
  try {
    const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
    const env = new Map<string, string>();
    for (const pair of raw.split('\0')) {
      const eq = pair.indexOf('=');
      if (eq > 0) env.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return env;
  } catch {
    return null;
  }
}

let cachedBootId: string | null | undefined;

// This boot of the machine: start times count from boot, so a pid + start time
// recorded in another boot names nothing now (systemd keys its records the same way).
export function currentBootId(): string | undefined {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId ?? undefined;
}

// A recorded boot id names this boot; an unknown one (old record, no /proc) names none.
export function isCurrentBoot(bootId: string | undefined): boolean {
  return bootId !== undefined && bootId === currentBootId();
}
