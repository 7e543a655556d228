import type {spawn as Spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';

// Issue 13.1: on a quiet machine the first move of a process into a cgroup waits
// for an RCU grace period (10-20 ms here: the kernel's cgroup_threadgroup_rwsem
// leaves its fast mode), and a move begun while that wait runs, or within ~10 ms
// after it, does not wait again. A service's process joins its groups itself
// (unit-limits.ts), so the first service of a stack paid that wait on its way to
// its start. warmCgroupMoves() has a short-lived shell move itself into the
// group it is already in (nothing changes; the file comes from /proc/self/cgroup,
// never from the manifest): called ~15-25 ms before the first join (a supervisor
// bin/up.sh started for the process runtime, as it waits for its arguments; else
// the CLI, as it hands a stack over), that wait runs alongside the start instead
// of on the service's. In the supervisor it begins sooner than in the CLI when the
// CLI parses the manifest (up --wait + down ~10 ms quicker here; with the load
// cache's answer no difference was measured), and off the CLI's way.
// Anything that fails (no cgroups, no write access) is ignored: the first join
// is then as slow as before, nothing else. The shell may be blocked in its write
// for that grace period, so its parent waits for it: a supervisor told it is not
// needed does (supervisor-main.ts), a CLI that ends by itself does (the child is
// not unref'd); only a parent that is killed or calls process.exit does not.
// Settles when the shell has ended; undefined when no move was begun.
export function warmCgroupMoves(): Promise<void> | undefined {
  let file: string | undefined;
  try {
    file = ownProcsFile(readFileSync('/proc/self/cgroup', 'utf8'));
  } catch {
    return undefined;
  }
  if (!file) return undefined;
  try {
    // Loaded here: bin/run.js's boot bundle carries this module, and most commands start nothing.
    const {spawn} = createRequire(import.meta.url)('node:child_process') as {spawn: typeof Spawn};
    const child = spawn('/bin/sh', ['-c', 'echo $$ > "$1"', 'sh', file], {stdio: 'ignore'});
    const ended = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    // Not unref'd: a Node process that ends by itself (the CLI after `up -d`) waits
    // for it rather than leave it to init, blocked in its write.
    return ended;
  } catch {
    // No shell to start: nothing to warm.
    return undefined;
  }
}

// The cgroup.procs of our own group: in the v1 memory tree (one tree per
// controller, as on the CI machines), else in the unified v2 tree; at their usual
// mount points (a file elsewhere is just not found).
export function ownProcsFile(procSelfCgroup: string): string | undefined {
  const lines = procSelfCgroup.split('\n');
  const at = (root: string, own: string): string | undefined => (own.split('/').includes('..') ? undefined : `${root}${own === '/' ? '' : own}/cgroup.procs`);
  for (const line of lines) {
    const match = /^\d+:([^:]*):(\/.*)$/.exec(line.trim());
    if (match && match[1]!.split(',').includes('memory')) return at('/sys/fs/cgroup/memory', match[2]!);
  }
  for (const line of lines) {
    const match = /^0::(\/.*)$/.exec(line.trim());
    if (match) return at('/sys/fs/cgroup', match[1]!);
  }
  return undefined;
}

// bin/supervisor.js, started by bin/up.sh for the process runtime, begins the
// warm-up before the supervisor's bundle loads (~8 ms sooner: the move's grace
// period then ends before the first service's cgroup is made, where it made that
// mkdir wait), and the supervisor takes it over once (supervisor-main.ts). A
// SIGTERM or SIGURG (not needed) that comes meanwhile is noted, not obeyed, so
// the shell is never left to init: the supervisor then ends after it.
export interface EarlyWarmUp {
  ended: Promise<void> | undefined;
  signalled: boolean;
  // The supervisor's own handlers are in place: these notes go.
  release(): void;
}

const EARLY = Symbol.for('sidecar.warmUp');
type Holder = {[EARLY]?: EarlyWarmUp};

export function beginEarlyWarmUp(): void {
  const early: EarlyWarmUp = {ended: undefined, signalled: false, release: () => undefined};
  const note = (): void => {
    early.signalled = true;
  };
  for (const signal of ['SIGTERM', 'SIGURG'] as const) process.on(signal, note);
  early.release = () => {
    for (const signal of ['SIGTERM', 'SIGURG'] as const) process.removeListener(signal, note);
  };
  early.ended = warmCgroupMoves();
  (globalThis as Holder)[EARLY] = early;
}

export function takeEarlyWarmUp(): EarlyWarmUp | undefined {
  const holder = globalThis as Holder;
  const early = holder[EARLY];
  delete holder[EARLY];
  return early;
}
