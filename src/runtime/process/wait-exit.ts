import {isSameProcess} from './process-start-time.js';

// Resolves true once the process is gone (or no longer the same one), false after timeoutMs.
// Checked every 5 ms: one read of /proc/PID/stat, and `down` waits on it (issue 13.1).
export async function waitForExit(pid: number, startTime: string | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isSameProcess(pid, startTime)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
