import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {text} from 'node:stream/consumers';
import {buffer} from 'node:stream/consumers';
import {afterEach, describe, expect, it} from 'vitest';
import {tarOf} from '../../../../src/runtime/docker/tar-entries.js';

// The archive a watch sync puts in a container, read back by GNU tar (a real
// reader, as the engine's Go archive/tar is): names, contents, modes, symlinks,
// names longer than ustar's 100 bytes (PAX), files gone before they were read.
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});
const tmp = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tar-entries-'));
  dirs.push(dir);
  return dir;
};

// A file directly in `dir`, read as a sync reads it (below the directory's handle).
const entry = (dir: string, name: string, target: string) => ({host: path.join(dir, name), target, from: {base: dir, below: [name]}});

describe('tarOf', () => {
  it('is read back by tar with the same names, contents, modes and links', async () => {
    const src = tmp();
    const out = tmp();
    writeFileSync(path.join(src, 'a.js'), 'console.log(1)\n');
    writeFileSync(path.join(src, 'run.sh'), '#!/bin/sh\n');
    chmodSync(path.join(src, 'run.sh'), 0o755);
    writeFileSync(path.join(src, 'empty'), '');
    symlinkSync('a.js', path.join(src, 'link.js'));
    const long = `app/${'deep/'.repeat(30)}${'n'.repeat(120)}.txt`;
    writeFileSync(path.join(src, 'long'), 'x'.repeat(1500));
    const archive = await buffer(
      tarOf([
        entry(src, 'a.js', '/app/src/a.js'),
        entry(src, 'run.sh', '/app/run.sh'),
        entry(src, 'empty', '/app/empty'),
        entry(src, 'link.js', '/app/src/link.js'),
        entry(src, 'gone.js', '/app/gone.js'),
        entry(src, 'long', `/${long}`),
      ]),
    );
    expect(archive.length % 512).toBe(0);
    execFileSync('tar', ['-xf', '-', '-C', out], {input: archive});
    expect(readFileSync(path.join(out, 'app/src/a.js'), 'utf8')).toBe('console.log(1)\n');
    expect(statSync(path.join(out, 'app/run.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(out, 'app/empty'), 'utf8')).toBe('');
    expect(readlinkSync(path.join(out, 'app/src/link.js'))).toBe('a.js');
    expect(readFileSync(path.join(out, long), 'utf8')).toBe('x'.repeat(1500));
    const listing = execFileSync('tar', ['-tf', '-'], {input: archive}).toString().trim().split('\n');
    expect(listing).toEqual(['app/src/a.js', 'app/run.sh', 'app/empty', 'app/src/link.js', long]);
  });

  it('reads a file directories down by their handles, with its mtime; leaves out a FIFO without blocking', async () => {
    const src = tmp();
    const out = tmp();
    mkdirSync(path.join(src, 'a/b'), {recursive: true});
    writeFileSync(path.join(src, 'a/b/c.txt'), 'c\n');
    utimesSync(path.join(src, 'a/b/c.txt'), 1_600_000_000, 1_600_000_000);
    execFileSync('mkfifo', [path.join(src, 'a/fifo')]);
    const archive = await buffer(
      tarOf([
        {host: path.join(src, 'a/b/c.txt'), target: '/c.txt', from: {base: src, below: ['a', 'b', 'c.txt']}},
        {host: path.join(src, 'a/fifo'), target: '/fifo', from: {base: src, below: ['a', 'fifo']}},
      ]),
    );
    execFileSync('tar', ['-xf', '-', '-C', out], {input: archive});
    expect(readFileSync(path.join(out, 'c.txt'), 'utf8')).toBe('c\n');
    expect(statSync(path.join(out, 'c.txt')).mtimeMs).toBe(1_600_000_000_000);
    expect(execFileSync('tar', ['-tf', '-'], {input: archive}).toString().trim()).toBe('c.txt');
  });

  it('an empty batch is an empty archive', async () => {
    expect(await text(tarOf([]))).toBe('\0'.repeat(1024));
  });
});
