import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import type {Manifest} from '../../src/manifest/types.js';
import {currentCgroupLayout} from '../../src/runtime/process/cgroup/cgroup-layout.js';
import {cgroupBase} from '../../src/runtime/process/stack-marker.js';

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

// A process's command line, its arguments joined by spaces.
export function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

// The cgroups the process runtime made for a stack's units that are still there.
export function stackGroups(m: Pick<Manifest, 'file' | 'name'>): string[] {
  const layout = currentCgroupLayout();
  const tree = layout.version === 2 ? layout.parent : layout.version === 1 ? (layout.memory ?? layout.cpu) : undefined;
  const dir = tree ? path.join(tree, cgroupBase(m as Manifest)) : '';
  return existsSync(dir) ? readdirSync(dir, {withFileTypes: true}).filter((e) => e.isDirectory()).map((e) => e.name) : [];
}
