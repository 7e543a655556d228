import {isSameProcess} from './process-start-time.js';

// A process asked to stop is usually gone within a few ms (the supervisor after
// `down`'s answer exits in ~10 ms): checked every 1 ms for the first 100 ms, then
// every 5 ms. One check is one read of /proc/PID/stat (issue 13.1).
const FIRST_POLLS_MS = 100;

// Resolves true once the process is gone (or no longer the same one), false after timeoutMs.
export async function waitForExit(pid: number, startTime: string | undefined, timeoutMs: number): Promise<boolean> {
  const began = Date.now();
  const deadline = began + timeoutMs;
  while (isSameProcess(pid, startTime)) {
    const now = Date.now();
    if (now > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, now - began < FIRST_POLLS_MS ? 1 : 5));
  }
  return true;
}
