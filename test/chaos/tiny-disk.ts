import {execFileSync} from 'node:child_process';
import {closeSync, mkdtempSync, openSync, rmdirSync, writeSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, expect} from 'vitest';
import {cli, ensureBuilt, type Project} from '../integration/cli/cli-harness.js';

// A real full disk for issue 9.6: a 256 KiB tmpfs holds the project (mount
// needs root; CI runs as root). Registers the file's hooks: the tmpfs, and
// `down` of every project pushed to `live` after each test.
export const root = process.getuid?.() === 0;

export function useTinyDisk(prefix: string): {mountPoint: () => string; live: Project[]} {
  let mountPoint = '';
  const live: Project[] = [];
  beforeAll(() => {
    ensureBuilt();
    if (!root) return;
    mountPoint = mkdtempSync(path.join(os.tmpdir(), prefix));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
  }, 180_000);
  afterEach(async () => {
    for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
  });
  afterAll(() => {
    if (!mountPoint) return;
    execFileSync('umount', ['-l', mountPoint]);
    rmdirSync(mountPoint);
  });
  return {mountPoint: () => mountPoint, live};
}

// Writes zeros until the file system says ENOSPC; returns the file to free it again.
export function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
  return file;
}
