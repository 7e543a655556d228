import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {projectNameFromDir} from '../../../src/manifest/normalize.js';
import {firstInvalidUtf8} from '../../../src/manifest/utf8.js';

// Issue 9.12: invalid UTF-8 was silently replaced with U+FFFD; names longer than
// a hostname passed validate and failed at `up`.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-hostile-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function project(files: Record<string, Buffer | string>): string {
  const dir = mkdtempSync(path.join(root, 'p-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return path.join(dir, 'sidecar.yaml');
}

async function invalid(file: string): Promise<SidecarError> {
  const error: unknown = await loadManifest(file, {env: {}}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SidecarError);
  expect((error as SidecarError).exitCode).toBe(3);
  return error as SidecarError;
}

describe('invalid UTF-8 is reported at its line, never replaced (issue 9.12)', () => {
  it('in the manifest', async () => {
    const file = project({'sidecar.yaml': Buffer.concat([Buffer.from('version: 1\napp:\n  command: [node, "caf'), Buffer.from([0xe9]), Buffer.from('"]\n')])});
    const error = await invalid(file);
    expect(error.problems[0]).toMatchObject({message: expect.stringMatching(/is not valid UTF-8 \(byte 0xe9 at line 3, column 23\)/), place: {line: 3, column: 23, path: ''}, suggestion: 'save the file as UTF-8'});
  });

  it('in the .env beside the manifest: placed in .env', async () => {
    const file = project({'sidecar.yaml': 'version: 1\napp:\n  command: [node]\n', '.env': Buffer.concat([Buffer.from('A=1\nB='), Buffer.from([0xff, 0x0a])])});
    const error = await invalid(file);
    expect(error.problems[0]!.place).toMatchObject({file: path.join(path.dirname(file), '.env'), line: 2, column: 3});
    expect(error.problems[0]!.message).toMatch(/\.env is not valid UTF-8 \(byte 0xff at line 2, column 3\)/);
  });

  it('in an envFile: placed at the envFile entry', async () => {
    const file = project({'sidecar.yaml': 'version: 1\napp:\n  command: [node]\n  envFile: [app.env]\n', 'app.env': Buffer.from([0x41, 0x3d, 0xc3, 0x28, 0x0a])});
    const error = await invalid(file);
    expect(error.problems[0]).toMatchObject({message: expect.stringMatching(/app\.env is not valid UTF-8 \(byte 0xc3 at line 1, column 3\)/), place: {line: 4, column: 13, path: 'app.envFile[0]'}});
  });

  it('valid multi-byte text and a BOM load as written', async () => {
    const file = project({'sidecar.yaml': Buffer.from('\ufeffversion: 1\napp:\n  command: [node, "café ☕ 𝄞"]\n', 'utf8')});
    const m = await loadManifest(file, {env: {}});
    expect(m.pods[0]!.app.command).toEqual(['node', 'café ☕ 𝄞']);
  });

  it.each([
    ['ascii', [0x61, 0x62], undefined],
    ['2-byte', [0xc3, 0xa9], undefined],
    ['4-byte', [0xf0, 0x9d, 0x84, 0x9e], undefined],
    ['lone continuation', [0x61, 0x80], 1],
    ['overlong /', [0xc0, 0xaf], 0],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf], 0],
    ['surrogate', [0xed, 0xa0, 0x80], 0],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['truncated', [0x61, 0xe2, 0x82], 1],
    ['0xff', [0xff], 0],
  ] as const)('firstInvalidUtf8: %s', (_name, bytes, expected) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(expected);
  });
});

describe('names are hostnames (issue 9.12)', () => {
  it('a project named after a long directory is cut to a 63-character DNS label', () => {
    const name = projectNameFromDir(path.join(root, `${'a'.repeat(62)}-${'b'.repeat(40)}`));
    expect(name).toBe('a'.repeat(62));
    expect(name).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
  });

  it('a manifest in a directory with a long name loads with a valid project name', async () => {
    const dir = path.join(root, 'x'.repeat(100));
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'sidecar.yaml'), 'version: 1\napp:\n  command: [node]\n');
    const m = await loadManifest(path.join(dir, 'sidecar.yaml'), {env: {}});
    expect(m.name).toBe('x'.repeat(63));
  });
});

describe('the implicit .env beside the manifest', () => {
  it('a .env directory (a Python virtualenv) is no .env, not an error', async () => {
    const file = project({'sidecar.yaml': 'version: 1\napp:\n  command: [node, "${A:-default}"]\n'});
    mkdirSync(path.join(path.dirname(file), '.env'));
    const m = await loadManifest(file, {env: {}});
    expect(m.pods[0]!.app.command).toEqual(['node', 'default']);
  });
});
