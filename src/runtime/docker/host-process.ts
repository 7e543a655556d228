import {readFileSync} from 'node:fs';
import type Docker from 'dockerode';
import {isSameProcess, processStartTime} from '../process/process-start-time.js';

// Issue 13.2: a container's first process as this host sees it. The engine
// reports an exit (its `die` event) ~35 ms after that process is gone: it deletes
// the task and unmounts first. And a signal through the engine takes ~15 ms to
// arrive. With the process pinned, the supervisor signals it and sees it gone
// itself. In a container with a PID namespace of its own, that process gone
// means every process of the container is gone: the kernel kills and reaps the
// rest before the namespace's first process is reaped.
export interface HostProcess {
  pid: number;
  startTime: string;
}

// Pinned only when /proc puts the pid in a cgroup named after the container (a
// local engine that gives containers cgroups: rootful Docker, podman), the same
// process before and after (start time), and the container has a PID namespace
// of its own. Undefined otherwise (a remote engine, rootless Docker without
// cgroups, a shared PID namespace, a pid already gone): the engine does it all then.
export function hostProcessOf(info: Pick<Docker.ContainerInspectInfo, 'Id' | 'State' | 'HostConfig'>): HostProcess | undefined {
  const pid = info.State?.Pid;
  const pidMode = info.HostConfig?.PidMode ?? '';
  if (!info.State?.Running || !Number.isInteger(pid) || pid <= 0 || (pidMode !== '' && pidMode !== 'private')) return undefined;
  const before = processStartTime(pid);
  if (before === undefined) return undefined;
  try {
    if (!readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(info.Id)) return undefined;
  } catch {
    return undefined;
  }
  return processStartTime(pid) === before ? {pid, startTime: before} : undefined;
}

// The stop signal straight to the pinned process, as the engine would send it
// (to the container's first process only), while it is still that process.
// False when it is not, or the signal is not ours to send (a supervisor without
// the rights over a root engine's containers): then the engine sends it.
export function signalDirectly(target: HostProcess, signal: NodeJS.Signals): boolean {
  if (!isSameProcess(target.pid, target.startTime)) return false;
  try {
    process.kill(target.pid, signal);
    return true;
  } catch {
    return false;
  }
}

const FAST_MS = 100;
const FAST_POLL_MS = 1;
const SLOW_POLL_MS = 20;

// Resolves once the pinned process is gone (or a zombie), or when `until` settles,
// whichever is first. Polled every 1 ms for the first 100 ms after the stop signal
// (a well-behaved service is gone within a few ms), then every 20 ms: a service
// in its grace period costs next to nothing.
export function whenGone(target: HostProcess, until: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const began = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve();
    };
    void until.then(finish, finish);
    const check = (): void => {
      if (done) return;
      if (!isSameProcess(target.pid, target.startTime)) return finish();
      timer = setTimeout(check, performance.now() - began < FAST_MS ? FAST_POLL_MS : SLOW_POLL_MS);
    };
    check();
  });
}
