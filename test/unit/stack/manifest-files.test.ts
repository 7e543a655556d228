import {existsSync, mkdtempSync, opendirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {Manifest} from '../../../src/manifest/types.js';
import {writeManifestFiles} from '../../../src/stack/manifest-files.js';

// Issue 12.1: a ConfigMap volume's files, rewritten in place so that a running
// container's bind mount (of the directory) sees the new keys, not a deleted directory.
const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-k8s-files-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const manifestWith = (files: Record<string, string>, mode = 0o644): Manifest =>
  ({dir, files: [{dir: path.join(dir, '.sidecar', 'k8s', 'web', 'config'), files: Object.entries(files).map(([name, text]) => ({name, contentBase64: Buffer.from(text).toString('base64'), mode}))}]}) as unknown as Manifest;

describe('writeManifestFiles', () => {
  it('writes each key with its mode, then updates the same directory: changed keys rewritten, removed keys gone', () => {
    const volume = path.join(dir, '.sidecar', 'k8s', 'web', 'config');
    writeManifestFiles(manifestWith({'a.conf': 'one', 'nested/b.conf': 'two'}, 0o400));
    expect(readFileSync(path.join(volume, 'nested/b.conf'), 'utf8')).toBe('two');
    expect(statSync(path.join(volume, 'a.conf')).mode & 0o777).toBe(0o400);
    // An open handle stands for a container's bind mount: it holds the directory itself.
    const held = opendirSync(volume);
    writeManifestFiles(manifestWith({'a.conf': 'changed'}));
    const seen: string[] = [];
    for (let entry = held.readSync(); entry; entry = held.readSync()) seen.push(entry.name);
    held.closeSync();
    expect(seen).toEqual(['a.conf']);
    expect(readFileSync(path.join(volume, 'a.conf'), 'utf8')).toBe('changed');
    expect(existsSync(path.join(volume, 'nested/b.conf'))).toBe(false);
  });

  it('refuses a directory outside .sidecar/k8s/', () => {
    const manifest = {dir, files: [{dir: path.join(dir, 'elsewhere'), files: []}]} as unknown as Manifest;
    expect(() => writeManifestFiles(manifest)).toThrow(/outside/);
  });
});
