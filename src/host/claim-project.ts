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
    if (Date.now() > deadline) throw unsettled(files, attempt.heldBy, waitMs, role);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The lock's holder named as what it is (a supervisor is not a `sidecar up`), and a
// way out that is not the command that just gave up (`down` was told to run `down`).
export function unsettled(files: ProjectFiles, owner: LockOwner, waitMs: number, caller: LockRole): SidecarError {
  const supervisor = owner.pid > 0 && owner.role === 'supervisor';
  const who = owner.pid <= 0 ? 'another sidecar command' : supervisor ? `the stack's supervisor (pid ${owner.pid})` : `\`sidecar ${owner.role}\` (pid ${owner.pid})`;
  const way =
    caller !== 'down'
      ? `\`sidecar ps\` shows it; \`sidecar down\` stops it${supervisor ? '' : ' (or wait for that command to finish)'}`
      : supervisor
        ? `it does not answer and has not exited: \`sidecar ps\` shows what still runs; \`kill ${owner.pid}\` ends it (\`kill -9 ${owner.pid}\` if it stays), then \`sidecar down\` stops what it left`
        : '`sidecar ps` shows it; wait for that command to finish, then run `sidecar down` again';
  return new SidecarError('SIDECAR_ALREADY_RUNNING', `${who} holds the stack in ${files.dir} and it did not settle within ${waitMs / 1000}s`, {suggestion: way});
}
