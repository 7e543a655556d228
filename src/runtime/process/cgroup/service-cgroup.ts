import {existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {Resources} from '../../../manifest/resources.js';
import type {CgroupLayout} from './cgroup-layout.js';

// cpu.max / cpu.cfs_period_us: the kernel's default period, as Docker and the kubelet use.
const CPU_PERIOD_US = 100_000;

// One started unit's group(s): created with its limits before the spawn, joined by
// the unit's process before it runs anything, read for memory kills at its exit,
// killed whole and removed once the unit is gone. v1 needs one group per tree.
// Without limits it still holds every process of the unit, so a child that left
// the process group and our environment (setsid, env -i) dies with it (issue 9.8).
export class ServiceCgroup {
  private constructor(
    readonly version: 1 | 2,
    // Every directory the unit's process joins (v1: memory and/or cpu; v2: one).
    readonly dirs: string[],
    private readonly memoryDir: string | undefined,
  ) {}

  // Throws (an fs error) when the group cannot be made or limited; nothing is left behind then.
  static create(layout: CgroupLayout, base: string, name: string, resources: Resources): ServiceCgroup {
    if (layout.version === 0) throw new Error(layout.why);
    const made: string[] = [];
    try {
      if (layout.version === 2) {
        const dir = ensureV2Base(layout.parent, base, resources);
        const unit = path.join(dir, name);
        mkdirSync(unit);
        made.push(unit);
        if (resources.memoryBytes !== undefined) {
          writeFileSync(path.join(unit, 'memory.max'), String(resources.memoryBytes));
          // No swap on top of the limit (Docker's MemorySwap = Memory).
          if (existsSync(path.join(unit, 'memory.swap.max'))) writeFileSync(path.join(unit, 'memory.swap.max'), '0');
        }
        if (resources.cpus !== undefined) writeFileSync(path.join(unit, 'cpu.max'), `${Math.round(resources.cpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}`);
        return new ServiceCgroup(2, [unit], resources.memoryBytes !== undefined ? unit : undefined);
      }
      let memoryDir: string | undefined;
      if (resources.memoryBytes !== undefined) {
        if (!layout.memory) throw new Error('no cgroup v1 memory controller is mounted');
        memoryDir = path.join(layout.memory, base, name);
        mkdirSync(memoryDir, {recursive: true});
        made.push(memoryDir);
        writeFileSync(path.join(memoryDir, 'memory.limit_in_bytes'), String(resources.memoryBytes));
        // memsw is memory + swap: equal means no swap; it must follow the memory limit.
        if (existsSync(path.join(memoryDir, 'memory.memsw.limit_in_bytes'))) writeFileSync(path.join(memoryDir, 'memory.memsw.limit_in_bytes'), String(resources.memoryBytes));
      }
      let cpuDir: string | undefined;
      if (resources.cpus !== undefined) {
        if (!layout.cpu) throw new Error('no cgroup v1 cpu controller is mounted');
        cpuDir = path.join(layout.cpu, base, name);
        mkdirSync(cpuDir, {recursive: true});
        made.push(cpuDir);
        writeFileSync(path.join(cpuDir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
        writeFileSync(path.join(cpuDir, 'cpu.cfs_quota_us'), String(Math.round(resources.cpus * CPU_PERIOD_US)));
      }
      if (made.length === 0) {
        // No limits: a group only to hold every process of the unit (one tree is enough).
        const tree = layout.memory ?? layout.cpu;
        if (!tree) throw new Error('no cgroup v1 memory or cpu controller is mounted');
        const dir = path.join(tree, base, name);
        mkdirSync(dir, {recursive: true});
        made.push(dir);
      }
      return new ServiceCgroup(1, made, memoryDir);
    } catch (error) {
      for (const dir of made.reverse()) removeDir(dir);
      throw error;
    }
  }

  // Memory kills in this group so far: v2 memory.events, v1 memory.oom_control (`oom_kill N`).
  oomKills(): number {
    if (!this.memoryDir) return 0;
    const file = path.join(this.memoryDir, this.version === 2 ? 'memory.events' : 'memory.oom_control');
    try {
      const match = /^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'));
      return match ? Number(match[1]) : 0;
    } catch {
      return 0;
    }
  }

  members(): number[] {
    return [...new Set(this.dirs.flatMap(procsOf))];
  }

  // Everything in the group, escaped daemons too: v2's cgroup.kill, else SIGKILL to
  // each member (a pid listed in our own group is ours, whatever its process group).
  killAll(): void {
    for (const dir of this.dirs) {
      if (this.version === 2 && existsSync(path.join(dir, 'cgroup.kill'))) {
        try {
          writeFileSync(path.join(dir, 'cgroup.kill'), '1');
          continue;
        } catch {
          // Fall back to signalling each member.
        }
      }
      for (const pid of procsOf(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    }
  }

  // Kill what is left and remove the group(s), waiting (bounded) for the kernel to
  // release them: rmdir fails with EBUSY while a killed member is still exiting.
  async remove(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.members().length > 0) this.killAll();
      const left = this.dirs.filter((dir) => !removeDir(dir));
      if (left.length === 0) return true;
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

// v2: the stack's group under the parent, with memory and cpu handed down to its children.
function ensureV2Base(parent: string, base: string, resources: Resources): string {
  const wanted = [...(resources.memoryBytes !== undefined ? ['memory'] : []), ...(resources.cpus !== undefined ? ['cpu'] : [])];
  enableControllers(parent, wanted);
  const dir = path.join(parent, base);
  mkdirSync(dir, {recursive: true});
  enableControllers(dir, wanted);
  return dir;
}

function enableControllers(dir: string, wanted: string[]): void {
  const enabled = readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
  const missing = wanted.filter((controller) => !enabled.includes(controller));
  if (missing.length > 0) writeFileSync(path.join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

// A member outside this process's pid namespace reads as 0 (task_tgid_vnr): never
// signalled, as kill(0) is this process's own group.
function procsOf(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').map(Number).filter((pid) => Number.isInteger(pid) && pid > 0);
  } catch {
    return [];
  }
}

// A cgroup directory is removed with rmdir (its files are the kernel's, not deletable).
function removeDir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

// The stack's leftover groups (a supervisor killed with SIGKILL left them): killed and removed.
export async function removeStackGroups(layout: CgroupLayout, base: string): Promise<void> {
  const roots = layout.version === 2 ? [path.join(layout.parent, base)] : layout.version === 1 ? [layout.memory, layout.cpu].flatMap((tree) => (tree ? [path.join(tree, base)] : [])) : [];
  for (const root of roots) {
    let children: string[];
    try {
      children = readdirSync(root, {withFileTypes: true}).filter((entry) => entry.isDirectory()).map((entry) => path.join(root, entry.name));
    } catch {
      continue;
    }
    for (const child of children) for (const pid of procsOf(child)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    const deadline = Date.now() + 2000;
    let left = children;
    while (left.length > 0 && Date.now() < deadline) {
      left = left.filter((dir) => !removeDir(dir));
      if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    removeDir(root);
  }
}
