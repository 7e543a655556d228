import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {inspectDestination, isInside, resolveInside, resolveTargetDir} from '../../../src/scaffold/safe-path.js';

describe('resolveTargetDir', () => {
  it('resolves relative and absolute directories', () => {
    expect(resolveTargetDir('x', '/work')).toBe('/work/x');
    expect(resolveTargetDir('.', '/work')).toBe('/work');
    expect(resolveTargetDir('/tmp/abs', '/work')).toBe('/tmp/abs');
  });

  it.each(['../escape', 'a/../../b', '..', 'a/..'])('refuses %s, which climbs with ..', (dir) => {
    expect(() => resolveTargetDir(dir, '/work')).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_INVALID'}));
  });
});

describe('resolveInside', () => {
  it('keeps paths inside the root', () => {
    expect(resolveInside('/p', 'src/main.js')).toBe('/p/src/main.js');
  });

  it.each(['../x', 'a/../../x', '/etc/passwd'])('refuses %s', (relative) => {
    expect(() => resolveInside('/p', relative)).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_INVALID'}));
  });

  it('does not mistake a sibling with the same prefix for inside', () => {
    expect(isInside('/p', '/p2/x')).toBe(false);
    expect(isInside('/p', '/p/x')).toBe(true);
    expect(isInside('/p', '/p')).toBe(true);
  });
});

describe('inspectDestination', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'scaffold-root-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'scaffold-outside-'));
  });
  afterEach(() => {
    rmSync(root, {recursive: true, force: true});
    rmSync(outside, {recursive: true, force: true});
  });

  it('reports absent, existing files, and files where a directory is needed', () => {
    writeFileSync(path.join(root, 'a.txt'), 'x');
    expect(inspectDestination(root, path.join(root, 'new/b.txt'))).toEqual({state: 'absent'});
    expect(inspectDestination(root, path.join(root, 'a.txt'))).toEqual({state: 'file'});
    expect(inspectDestination(root, path.join(root, 'a.txt/c'))).toMatchObject({state: 'blocked', at: path.join(root, 'a.txt')});
    mkdirSync(path.join(root, 'dir'));
    expect(inspectDestination(root, path.join(root, 'dir'))).toMatchObject({state: 'blocked'});
  });

  it('refuses a symlinked directory on the way, even one that points inside', () => {
    symlinkSync(outside, path.join(root, 'src'));
    expect(inspectDestination(root, path.join(root, 'src/main.js'))).toMatchObject({state: 'blocked', at: path.join(root, 'src')});
    mkdirSync(path.join(root, 'real'));
    symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    expect(inspectDestination(root, path.join(root, 'alias/x'))).toMatchObject({state: 'blocked'});
  });

  it('refuses a symlinked file, dangling or not', () => {
    symlinkSync(path.join(outside, 'nowhere'), path.join(root, 'README.md'));
    expect(inspectDestination(root, path.join(root, 'README.md'))).toMatchObject({state: 'blocked', reason: expect.stringContaining('symbolic link')});
  });
});
