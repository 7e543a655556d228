import {lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {sidecar} from '../integration/scaffold/run-cli.js';

// Issue 9 point 7 (scaffold part): `new`/`init` into a target that is itself a
// symlink, or reached through one, wrote through it into the directory the link
// points at. A scaffold target is a directory of the user's, never a link
// followed out of it (as `git clone` and `cargo new` refuse an existing link):
// exit 2 with a fix, nothing written anywhere, --force or not.
describe('chaos: scaffolding through symbolic links', () => {
  let tmp: string;
  let work: string;
  let outside: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'sidecar-chaos-symlink-'));
    work = path.join(tmp, 'work');
    outside = path.join(tmp, 'outside');
    mkdirSync(work);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'precious.txt'), 'keep\n');
  });
  afterEach(() => rmSync(tmp, {recursive: true, force: true}));

  const untouched = () => {
    expect(readdirSync(outside)).toEqual(['precious.txt']);
  };

  const attacks: [string, (link: string) => string[]][] = [
    ['new into a symlinked target', (link) => ['new', 'http-proxy', link]],
    ['new below a symlinked directory', (link) => ['new', 'http-proxy', `${link}/inner`, '--name', 'inner']],
    ['init into a symlinked target', (link) => ['init', link, '--name', 'shop']],
    ['init below a symlinked directory', (link) => ['init', `${link}/inner`, '--name', 'shop']],
    ['init with a sidecar into a symlinked target', (link) => ['init', link, '--name', 'shop', '--template', 'log-shipper']],
  ];

  it.each(attacks)('%s is refused with exit 2 and a fix, even with --force', async (_what, args) => {
    symlinkSync(outside, path.join(work, 'link'));
    for (const extra of [[], ['--force']]) {
      const result = await sidecar([...args('link'), ...extra], work);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain('symbolic link');
      expect(result.stderr).toMatch(/fix: .*(real directory|real path)/);
      untouched();
    }
    expect(lstatSync(path.join(work, 'link')).isSymbolicLink()).toBe(true);
  });

  it('init in a directory whose sidecars/ is a symlink writes nothing through it', async () => {
    symlinkSync(outside, path.join(work, 'sidecars'));
    const result = await sidecar(['init', '--name', 'shop', '--template', 'http-proxy', '--force'], work);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('symbolic link');
    untouched();
    expect(readdirSync(work)).toEqual(['sidecars']);
  });

  it('add never writes a sidecar project through a symlinked sidecars/', async () => {
    writeFileSync(path.join(work, 'sidecar.yaml'), 'version: 1\nname: shop\napp: {command: [node, server.js]}\n');
    symlinkSync(outside, path.join(work, 'sidecars'));
    const result = await sidecar(['add', 'http-proxy', '--force'], work);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('symbolic link');
    untouched();
  });

  it('a dangling symlink as the target is refused too (it would be created outside)', async () => {
    symlinkSync(path.join(outside, 'new-dir'), path.join(work, 'dangling'));
    const result = await sidecar(['new', 'http-proxy', 'dangling'], work);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('symbolic link');
    untouched();
  });
});
