import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {processStartTime} from '../../../src/runtime/process/process-start-time.js';
import {projectFiles} from '../../../src/host/project-files.js';
import {adoptLock, readLockOwner, tryLock} from '../../../src/host/project-lock.js';

const fresh = () => projectFiles(mkdtempSync(path.join(os.tmpdir(), 'sidecar-lock-')));

// A pid that existed and is gone now.
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'}).stdout);
}

describe('project lock (one stack per directory)', () => {
  it('is held by one owner at a time and free again once released', () => {
    const files = fresh();
    const first = tryLock(files, 'up');
    if (!('lock' in first)) throw new Error('first tryLock did not get the lock');
    const second = tryLock(files, 'up');
    expect(second).toEqual({heldBy: expect.objectContaining({pid: process.pid, role: 'up', token: first.lock.token})});
    first.lock.release();
    const third = tryLock(files, 'run');
    expect('lock' in third).toBe(true);
    if ('lock' in third) third.lock.release();
  });

  it('breaks a lock whose owner is gone, or from another boot, and takes it', () => {
    for (const stale of [
      {pid: deadPid(), startTime: '1', role: 'supervisor', token: 'dead', since: 0},
      {pid: process.pid, startTime: processStartTime(process.pid), bootId: 'another-boot', role: 'supervisor', token: 'rebooted', since: 0},
    ]) {
      const files = fresh();
      mkdirSync(files.root, {recursive: true});
      writeFileSync(files.lock, JSON.stringify(stale));
      const attempt = tryLock(files, 'up');
      if (!('lock' in attempt)) throw new Error(`stale lock ${stale.token} was not broken`);
      expect((readLockOwner(files.lock) as {token: string}).token).toBe(attempt.lock.token);
      attempt.lock.release();
    }
  });

  it('treats a half-written lock as held while it is young, as stale once old', () => {
    const files = fresh();
    mkdirSync(files.root, {recursive: true});
    writeFileSync(files.lock, '');
    expect('heldBy' in tryLock(files, 'up')).toBe(true);
    const old = new Date(Date.now() - 60_000);
    utimesSync(files.lock, old, old);
    const attempt = tryLock(files, 'up');
    expect('lock' in attempt).toBe(true);
    if ('lock' in attempt) attempt.lock.release();
  });

  it('is adopted by the supervisor only with its token', () => {
    const files = fresh();
    const attempt = tryLock(files, 'up');
    if (!('lock' in attempt)) throw new Error('no lock');
    expect(adoptLock(files, 'not-the-token')).toBeUndefined();
    const adopted = adoptLock(files, attempt.lock.token);
    expect(adopted?.owner.role).toBe('supervisor');
    expect(JSON.parse(readFileSync(files.lock, 'utf8')).role).toBe('supervisor');
    adopted?.release();
    expect(readLockOwner(files.lock)).toBe('missing');
  });
});
