import {SidecarError} from '../errors/index.js';
import {findSupervisor, type LiveSupervisor} from './find-supervisor.js';
import {tryLock, type LockOwner, type LockRole, type ProjectLock} from './project-lock.js';
import type {ProjectFiles} from './project-files.js';

export type Claim = {live: LiveSupervisor} | {lock: ProjectLock};

// How long a command waits for a stack that is starting (its supervisor not yet
// answering) or stopping (`down` at work) to settle before giving up.
export const SETTLE_WAIT_MS = 30_000;

// `up`/`run` (issue 9.5, 8.2): either the stack that runs here and answers, or
// the project lock, so that exactly one stack ever runs per directory. A stack
// that is starting is waited for until it answers; one that is stopping or
// failed until it is gone; then the lock is ours.
export async function claimProject(files: ProjectFiles, role: LockRole, waitMs = SETTLE_WAIT_MS): Promise<Claim> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const live = await findSupervisor(files);
    if (live && (live.hello.phase === 'starting' || live.hello.phase === 'ready')) return {live};
    const attempt = tryLock(files, role);
    if ('lock' in attempt) return attempt;
    if (Date.now() > deadline) throw unsettled(files, attempt.heldBy, waitMs);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function unsettled(files: ProjectFiles, owner: LockOwner, waitMs: number): SidecarError {
  const who = owner.pid > 0 ? `\`sidecar ${owner.role === 'supervisor' ? 'up' : owner.role}\` (pid ${owner.pid})` : 'another sidecar command';
  return new SidecarError('SIDECAR_ALREADY_RUNNING', `${who} holds the stack in ${files.dir} and it did not settle within ${waitMs / 1000}s`, {
    suggestion: '`sidecar ps` shows it; `sidecar down` stops it (or wait for that command to finish)',
  });
}
