import path from 'node:path';
import type {Service} from '../../../manifest/types.js';
import {hostExecutable} from '../host-executable.js';
import {currentCgroupLayout, type CgroupLayout} from './cgroup-layout.js';
import {removeStackGroups, ServiceCgroup} from './service-cgroup.js';

// The unit's process joins its group(s) itself, before it runs the command: a
// constant script (no manifest text in it; the command is its "$@", never
// parsed) writes its own pid into each cgroup.procs, then execs the command in
// the same pid. Joining from outside after the spawn would let a fast forker's
// children escape the limit.
const JOIN_GROUPS = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 126; shift; n=$((n - 1)); done;';
const JOIN = `${JOIN_GROUPS} exec "$@"`;
// Started ahead (ProcessRuntime.precreate): joins, says so on fd 3 (a socket to
// the supervisor, ahead-channel.ts), then waits for a line there before it runs
// the command, without that fd; fd 3 closed with nothing on it ends it. Joining is
// the slow part: the kernel takes 10-15 ms to move a process into a v1 memory or
// cpu group (an RCU grace period). A Node program made ahead is run at once
// instead, with fd 3, to start up and wait for `go` itself (node-ahead.ts).
const JOIN_THEN_WAIT = `${JOIN_GROUPS} echo joined >&3; read -r go <&3 || exit 0; exec "$@" 3<&-`;
const JOIN_THEN_RUN_WAITING = `${JOIN_GROUPS} echo joined >&3; exec "$@"`;

// How a wrapped command runs: at once; made ahead, waiting for `go` in the shell;
// made ahead, run at once to wait for `go` itself (a Node program, node-ahead.ts).
export type WrapMode = 'now' | 'wait' | 'run-waiting';
const SCRIPTS: Record<WrapMode, string> = {now: JOIN, wait: JOIN_THEN_WAIT, 'run-waiting': JOIN_THEN_RUN_WAITING};
const SHELL = '/bin/sh';

// DESIGN "Resources" under the process runtime: a cgroup per started unit, where
// this process may create one, with the unit's limits if it has `resources`;
// otherwise the limits are not enforced, said once (per runtime), and the units
// run all the same.
export class UnitLimits {
  private layout?: CgroupLayout;
  private said = false;
  private count = 0;

  constructor(
    // One directory per stack (`sidecar-<stack id>`), so teardown finds leftovers.
    readonly base: string,
    // Part of every group's name: a new run never collides with a dead one's groups.
    private readonly runTag: string,
    private readonly notice: (message: string) => void,
  ) {}

  // The unit's group, with its limits if it has `resources`, or undefined where no
  // cgroup can be made here. Every unit gets one where it can (issue 9.8): a
  // container's processes all die with it, whatever session they made; so do a
  // service's. Only a unit with limits says when it cannot (its limits are lost);
  // without, the process group and the stack marker still find its processes.
  groupFor(service: Service): ServiceCgroup | undefined {
    this.layout ??= currentCgroupLayout();
    if (this.layout.version === 0 && !service.resources) return undefined;
    try {
      return ServiceCgroup.create(this.layout, this.base, `${service.id.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${this.runTag}-${++this.count}`, service.resources ?? {});
    } catch (error) {
      if (!service.resources) return undefined;
      if (!this.said) {
        this.said = true;
        this.notice(notEnforced(error));
      }
      return undefined;
    }
  }

  // The command that joins the group(s) (none without one) and then runs `command`
  // (argv, no shell parsing), as `mode` says; undefined where it cannot be wrapped.
  wrap(group: ServiceCgroup | undefined, command: string[], workdir: string, searchPath: string | undefined, mode: WrapMode = 'now'): string[] | undefined {
    const [file] = command;
    // A command that is not there fails the spawn itself, with the runtime's own
    // "not found" error, rather than the shell's 127.
    if (file === undefined || hostExecutable(file, workdir, searchPath) === undefined || hostExecutable(SHELL, '/') === undefined) return undefined;
    const dirs = group?.dirs ?? [];
    return [SHELL, '-c', SCRIPTS[mode], 'sidecar-cgroup', String(dirs.length), ...dirs.map((dir) => path.join(dir, 'cgroup.procs')), ...command];
  }

  // Groups of this stack that a dead supervisor left: killed and removed.
  async removeLeftovers(): Promise<void> {
    this.layout ??= currentCgroupLayout();
    await removeStackGroups(this.layout, this.base);
  }
}

export function notEnforced(error: unknown): string {
  const why = error instanceof Error ? error.message : String(error);
  return `resources (memory, cpus) are not enforced under the process runtime: no cgroup could be created (${why}); run as root or inside a delegated cgroup v2 subtree (systemd-run --user --scope -p Delegate=yes), or use --runtime docker`;
}

// Whether a group with these limits can be made here (`up` says so before starting): undefined when it can.
export function cgroupProblem(base: string, resources: NonNullable<Service['resources']>): string | undefined {
  try {
    const probe = ServiceCgroup.create(currentCgroupLayout(), base, `probe-${process.pid}`, resources);
    void probe.remove();
    return undefined;
  } catch (error) {
    return notEnforced(error);
  }
}
