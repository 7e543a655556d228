import type {ChildProcess} from 'node:child_process';
import {statSync} from 'node:fs';
import type {Service} from '../../manifest/types.js';
import type {ServiceCgroup} from './cgroup/service-cgroup.js';
import type {AheadChannel} from './ahead-channel.js';
import type {ChildEnd} from './unit-child.js';

// A service's process made ahead of its start (ProcessRuntime.precreate): in its
// cgroup already (where one is made), waiting for `go` on its fd 3 before it runs
// the command (a Node program: started up, before its code runs, node-ahead.ts).
export interface Ahead {
  service: Service;
  child: ChildProcess;
  ended: Promise<ChildEnd>;
  cgroup?: ServiceCgroup;
  channel: AheadChannel;
  // The directory it was made in (its cwd from then on), as its workdir named it then.
  workdir: {path: string; id: string | undefined};
}

// What a workdir names now (a link followed): its device and inode; undefined
// where it names no directory this process may look at.
export function directoryId(dir: string): string | undefined {
  try {
    const stat = statSync(dir, {throwIfNoEntry: false});
    return stat?.isDirectory() ? `${stat.dev}:${stat.ino}` : undefined;
  } catch {
    return undefined;
  }
}

// Issue 13.1/13.3: joining a cgroup costs 10-15 ms here (the kernel waits for an
// RCU grace period), paid on the path to readiness by every start when done at
// the start. Like a container created before it is started (Compose, the docker
// runtime's precreate), the process is made while the previous service gets
// ready, or while a crashed one waits out its backoff; start() only says go.
// One per service; one made for an older definition of it is ended, not used.
export class StartedAhead {
  private readonly waiting = new Map<string, Ahead>();

  has(service: Service): boolean {
    const ahead = this.waiting.get(service.id);
    return ahead !== undefined && ahead.service === service && stillWaiting(ahead);
  }

  add(ahead: Ahead): void {
    const before = this.waiting.get(ahead.service.id);
    if (before) end(before);
    this.waiting.set(ahead.service.id, ahead);
  }

  // The one made for exactly this service (same object) that still waits, in the
  // directory its workdir still names; any other is ended. (A workdir replaced
  // meanwhile, a `current` link switched or a build directory made again by the
  // init job before it, is the new one at the service's turn, as for a process
  // started then: test/chaos/node-ahead-workdir-switched.test.ts.)
  take(service: Service): Ahead | undefined {
    const ahead = this.waiting.get(service.id);
    if (!ahead) return undefined;
    this.waiting.delete(service.id);
    if (ahead.service === service && stillWaiting(ahead) && ahead.workdir.id !== undefined && directoryId(ahead.workdir.path) === ahead.workdir.id) return ahead;
    end(ahead);
    return undefined;
  }

  // Teardown, or the supervisor's exit: nothing made ahead outlives the stack.
  endAll(): void {
    for (const ahead of this.waiting.values()) end(ahead);
    this.waiting.clear();
  }

  // The same, once each has exited and its group is removed.
  async endAllGone(): Promise<void> {
    const ended = [...this.waiting.values()];
    this.endAll();
    await Promise.all(ended.map((ahead) => ahead.ended.then(() => ahead.cgroup?.remove())));
  }

  // Synchronous, for an exit hook: SIGKILL only (each is our own child, never reaped yet).
  killAll(): void {
    for (const ahead of this.waiting.values()) if (stillWaiting(ahead)) ahead.child.kill('SIGKILL');
  }
}

// A spawn that failed (no such workdir) has no pid, and never waited: Node's kill()
// of such a child signals pid 0, this process's own group (it killed the supervisor
// and everything in its group: test/chaos/ahead-spawn-failed.test.ts).
function stillWaiting(ahead: Ahead): boolean {
  return ahead.child.pid !== undefined && ahead.child.exitCode === null && ahead.child.signalCode === null;
}

// Our own child, still waiting (never signalled by pid after its reap).
function end(ahead: Ahead): void {
  if (stillWaiting(ahead)) ahead.child.kill('SIGKILL');
  void ahead.ended.then(() => ahead.cgroup?.remove());
}
