import {readFileSync} from 'node:fs';
import {isCurrentBoot} from './proc-table.js';

// A pid is only the same process while its start time matches (pids are reused):
// field 22 of /proc/<pid>/stat, in clock ticks since boot. Undefined when the
// process is gone (or a zombie) or /proc is not there.
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parens: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has exited already; it only waits for its parent to read its status.
    if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
    return rest[19];
  } catch {
    return undefined;
  }
}

// Before any signal: the recorded pid, start time and boot must all match. A record
// without a start time or from another boot names no process (never kill by pid alone).
export function isRecordedProcess(pid: number, startTime: string | undefined, bootId: string | undefined): boolean {
  return startTime !== undefined && isCurrentBoot(bootId) && processStartTime(pid) === startTime;
}

// True when `pid` is alive and still the process that was recorded (for waiting, not signalling).
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  const now = processStartTime(pid);
  if (now !== undefined) return startTime === undefined || now === startTime;
  if (process.platform === 'linux') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
