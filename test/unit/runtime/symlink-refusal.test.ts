import {mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {assertStateTree} from '../../../src/runtime/safe-state-dir.js';
import {SidecarError} from '../../../src/errors/index.js';

// What a refused symlink in .sidecar/ is told to do. Found by a new user's trial:
// for `.sidecar/logs2` the fix said "sidecar then creates a real logs2 in its
// place", a file sidecar never makes; a link among the named volumes was most
// likely meant to share a directory, which a bind mount does.
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function refusal(link: string[]): SidecarError {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-symlink-fix-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, '.sidecar', 'volumes'), {recursive: true});
  symlinkSync(os.tmpdir(), path.join(dir, '.sidecar', ...link));
  try {
    assertStateTree(dir);
  } catch (error) {
    return error as SidecarError;
  }
  throw new Error('no refusal');
}

describe('the fix for a symlink in .sidecar/', () => {
  it('says to remove it, and never that sidecar makes a file of its name', () => {
    const error = refusal(['logs2']);
    expect(error.code).toBe('SIDECAR_UNSAFE_PATH');
    expect(error.suggestion).toContain('rm ');
    expect(error.suggestion).toContain('sidecar makes what it needs in .sidecar/ itself');
    expect(error.suggestion).not.toMatch(/creates a real|bind|mount/);
  });

  it('points a link among the named volumes to a bind mount', () => {
    const error = refusal(['volumes', 'data']);
    expect(error.suggestion).toContain('volumes: ["./dir:/path"]');
  });
});
