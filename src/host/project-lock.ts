import path from 'node:path';
import {linkSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync} from 'node:fs';
import {currentBootId as bootId} from '../runtime/process/proc-table.js';
import {ensureRealDir} from '../runtime/safe-state-dir.js';
import {isSameProcess, processStartTime} from '../runtime/process/process-start-time.js';
import type {ProjectFiles} from './project-files.js';
import {randomUuid} from '../runtime/random-id.js';

// Who holds a project: `up`/`run` in the CLI (foreground, or while it spawns the
// detached supervisor), the detached supervisor, or `down` while it reaps.
export type LockRole = 'up' | 'run' | 'down' | 'supervisor';

export interface LockOwner {
  pid: number;
  startTime?: string;
  bootId?: string;
  role: LockRole;
  // Passed to the detached supervisor so it can take the lock over from the CLI.
  token: string;
  since: number;
}

export type LockAttempt = {lock: ProjectLock} | {heldBy: LockOwner};

// A lock file whose content is unreadable for this long was left half-written by a crash.
const UNREADABLE_STALE_MS = 10_000;

// Issue 9.5: one stack per project directory. `.sidecar/lock` appears atomically
// with its owner inside (written aside, then hard-linked: link fails if it
// exists) and lives as long as its owner; a lock whose owner (pid + start time
// + boot id) is gone is stale and broken under a guard, so two breakers never
// remove a fresh lock. The owner releases it on exit (SIGKILL leaves it stale).
// Like a pid file checked by identity, as systemd's PIDFile= handling does.
export function tryLock(files: ProjectFiles, role: LockRole): LockAttempt {
  // No symlink in .sidecar/ is followed (issue 9.7).
  ensureRealDir(files.dir, ['.sidecar']);
  let seen: LockOwner = {pid: 0, role: 'up', token: '', since: Date.now()};
  for (let attempt = 0; attempt < 5; attempt++) {
    const owner = ownerForThisProcess(role, randomUuid());
    const aside = `${files.lock}.${process.pid}.${owner.token}`;
    writeAside(aside, owner);
    try {
      createExclusive(aside, files.lock, owner);
      return {lock: new ProjectLock(files.lock, owner)};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(aside, {force: true});
    }
    const held = readLockOwner(files.lock);
    if (held === 'missing') continue;
    if (held === 'unreadable') {
      if (!olderThan(files.lock, UNREADABLE_STALE_MS)) return {heldBy: seen};
      breakStale(files.lock, undefined);
      continue;
    }
    if (isAlive(held)) return {heldBy: held};
    seen = held;
    // Stale: break it; if another process is breaking it, the next round sees the outcome.
    breakStale(files.lock, held.token);
  }
  return {heldBy: seen};
}

// The lock's content, written beside it first. A refusal names .sidecar/, the
// directory to fix: the file named after this process never exists for the user.
function writeAside(aside: string, owner: LockOwner): void {
  try {
    writeFileSync(aside, JSON.stringify(owner) + '\n', {mode: 0o600, flag: 'wx'});
  } catch (error) {
    const {code, message} = error as NodeJS.ErrnoException;
    if (code === 'EEXIST' || code === undefined) throw error;
    throw Object.assign(new Error(message), {code, path: path.dirname(aside), syscall: 'mkfile'});
  }
}

// Hard link of the fully written file: the lock appears with its content or not
// at all. Filesystems without hard links get an O_EXCL create; a reader that
// catches it empty sees it as unreadable, which is held until it is old.
function createExclusive(aside: string, lockFile: string, owner: LockOwner): void {
  try {
    linkSync(aside, lockFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    writeFileSync(lockFile, JSON.stringify(owner) + '\n', {mode: 0o600, flag: 'wx'});
  }
}

// The detached supervisor takes the lock its CLI acquired (same token) and
// names itself as the owner, so the lock lives exactly as long as the stack.
export function adoptLock(files: ProjectFiles, token: string): ProjectLock | undefined {
  const held = readLockOwner(files.lock);
  if (typeof held !== 'object' || held.token !== token) return undefined;
  const owner = ownerForThisProcess('supervisor', token);
  const aside = `${files.lock}.${process.pid}.${token}`;
  writeFileSync(aside, JSON.stringify(owner) + '\n', {mode: 0o600});
  renameSync(aside, files.lock);
  return new ProjectLock(files.lock, owner);
}

export class ProjectLock {
  private readonly onExit = (): void => this.release();

  constructor(
    readonly file: string,
    readonly owner: LockOwner,
  ) {
    // Whatever way this process ends (error, exit(), signal handlers that exit), the lock goes with it.
    process.on('exit', this.onExit);
  }

  get token(): string {
    return this.owner.token;
  }

  // Removes the lock if it is still ours (same token, and this process is its owner).
  // Never throws: it runs in an exit handler, where a .sidecar/ made read-only
  // under a running stack crashed the supervisor with a trace (found by a new
  // user's trial). A lock left so is stale once this process is gone.
  release(): void {
    process.off('exit', this.onExit);
    try {
      const held = readLockOwner(this.file);
      if (typeof held === 'object' && held.token === this.owner.token && held.pid === process.pid) rmSync(this.file, {force: true});
    } catch {
      // Not removable (a read-only .sidecar/): stale once its owner has exited.
    }
  }

  // Once the detached supervisor has adopted the lock, this process must not remove it.
  forget(): void {
    process.off('exit', this.onExit);
  }
}

export function readLockOwner(file: string): LockOwner | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.token === 'string' ? owner : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

// The owner still runs: same boot, same pid, same start time.
export function isAlive(owner: LockOwner): boolean {
  if (owner.bootId && bootId() && owner.bootId !== bootId()) return false;
  return isSameProcess(owner.pid, owner.startTime);
}

function ownerForThisProcess(role: LockRole, token: string): LockOwner {
  const startTime = processStartTime(process.pid);
  const boot = bootId();
  return {pid: process.pid, ...(startTime ? {startTime} : {}), ...(boot ? {bootId: boot} : {}), role, token, since: Date.now()};
}

// Under a guard (`lock.break`, itself identity-checked), remove the stale lock
// only if it is still the one judged stale. False when another breaker is at it.
function breakStale(lockFile: string, staleToken: string | undefined): boolean {
  const guardFile = `${lockFile}.break`;
  const guard = ownerForThisProcess('down', randomUuid());
  try {
    writeFileSync(guardFile, JSON.stringify(guard) + '\n', {mode: 0o600, flag: 'wx'});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = readLockOwner(guardFile);
    // A breaker that died mid-way (rare: a crash within these few lines) leaves its guard behind.
    if (other === 'missing' || (other === 'unreadable' ? olderThan(guardFile, UNREADABLE_STALE_MS) : !isAlive(other))) rmSync(guardFile, {force: true});
    return false;
  }
  try {
    const now = readLockOwner(lockFile);
    const sameStale = now === 'unreadable' ? staleToken === undefined : typeof now === 'object' && now.token === staleToken && !isAlive(now);
    if (sameStale) unlinkSync(lockFile);
    return true;
  } finally {
    rmSync(guardFile, {force: true});
  }
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return true;
  }
}
