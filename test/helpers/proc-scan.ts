import {readdirSync, readFileSync} from 'node:fs';

// Live processes whose environment carries SIDECAR_TEST_MARK=mark, read straight
// from /proc: the tests' own truth, independent of the runtime's bookkeeping.
export function processesWithMark(mark: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`SIDECAR_TEST_MARK=${mark}`)) found.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}
