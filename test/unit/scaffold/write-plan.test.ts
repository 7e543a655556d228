import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {textFile} from '../../../src/scaffold/file-plan.js';
import {checkPlan} from '../../../src/scaffold/plan-check.js';
import {writePlan} from '../../../src/scaffold/write-plan.js';

describe('writePlan', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'scaffold-plan-'));
    outside = mkdtempSync(path.join(os.tmpdir(), 'scaffold-outside-'));
  });
  afterEach(() => {
    rmSync(root, {recursive: true, force: true});
    rmSync(outside, {recursive: true, force: true});
  });

  const plan = () => [textFile('a.txt', 'new a'), textFile('sub/b.txt', 'new b'), textFile('c.txt', 'new c')];

  it('writes every file, creating directories', () => {
    expect(writePlan(root, plan(), {force: false})).toEqual(['a.txt', 'sub/b.txt', 'c.txt']);
    expect(readFileSync(path.join(root, 'sub/b.txt'), 'utf8')).toBe('new b');
    // No temporary files are left behind.
    expect(readdirSync(root).sort()).toEqual(['a.txt', 'c.txt', 'sub']);
  });

  it('writes nothing and lists every conflict when files exist', () => {
    writeFileSync(path.join(root, 'a.txt'), 'old a');
    writeFileSync(path.join(root, 'c.txt'), 'old c');
    expect(checkPlan(root, plan(), false).conflicts).toEqual(['a.txt', 'c.txt']);
    expect(() => writePlan(root, plan(), {force: false})).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_CONFLICT', message: expect.stringMatching(/a\.txt[\s\S]*c\.txt/), suggestion: expect.stringContaining('--force')}));
    expect(existsSync(path.join(root, 'sub'))).toBe(false);
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('old a');
  });

  it('overwrites with force', () => {
    writeFileSync(path.join(root, 'a.txt'), 'old a');
    writePlan(root, plan(), {force: true});
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('new a');
  });

  it('lets an update replace an existing file without force', () => {
    writeFileSync(path.join(root, '.gitignore'), 'node_modules/\n');
    writePlan(root, [textFile('.gitignore', 'node_modules/\n.sidecar/\n', 'update')], {force: false});
    expect(readFileSync(path.join(root, '.gitignore'), 'utf8')).toBe('node_modules/\n.sidecar/\n');
  });

  it('refuses symlinks on the way even with force, writing nothing anywhere', () => {
    symlinkSync(outside, path.join(root, 'sub'));
    expect(() => writePlan(root, plan(), {force: true})).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_CONFLICT', message: expect.stringContaining('symbolic link')}));
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(path.join(root, 'a.txt'))).toBe(false);
  });

  it('refuses a plan path that climbs out of the root', () => {
    expect(() => writePlan(root, [textFile('../escape.txt', 'x')], {force: true})).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_INVALID'}));
    expect(existsSync(path.join(path.dirname(root), 'escape.txt'))).toBe(false);
  });

  it('refuses a root that is a file', () => {
    const file = path.join(root, 'file');
    writeFileSync(file, 'x');
    expect(() => writePlan(file, plan(), {force: true})).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_CONFLICT'}));
  });
});
