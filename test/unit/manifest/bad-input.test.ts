import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {BAD_MANIFESTS, MANY_PROBLEMS} from './bad-manifests.js';

const root = mkdtempSync(path.join(tmpdir(), 'sidecar-bad-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function writeCase(name: string, yaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(root, name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40) + '-'));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  const file = path.join(dir, 'sidecar.yaml');
  writeFileSync(file, yaml);
  return file;
}

async function loadError(file: string, env: Record<string, string> = {}): Promise<SidecarError> {
  try {
    await loadManifest(file, {env});
  } catch (error) {
    if (error instanceof SidecarError) return error;
    throw error;
  }
  throw new Error(`${file} loaded without an error`);
}

describe('bad manifests (issue 2 point 11)', () => {
  it('has at least 30 cases', () => {
    expect(BAD_MANIFESTS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_MANIFESTS)('$name', async (bad) => {
    const file = writeCase(bad.name, bad.yaml, bad.files);
    const error = await loadError(file, bad.env);
    expect(error.code).toBe('SIDECAR_MANIFEST_INVALID');
    expect(error.exitCode).toBe(3);
    const first = error.problems[0]!;
    expect(first.message).toMatch(bad.message);
    expect(first.place).toEqual({file, line: bad.line, column: bad.column, path: bad.path});
    expect(first.suggestion).toMatch(bad.suggestion ?? /\S/);
    // The error's own place and suggestion point at the first problem.
    expect(error.place).toEqual(first.place);
    expect(error.suggestion).toBeTruthy();
  });

  it('reports every problem of a file at once, sorted by position', async () => {
    const file = writeCase('many', MANY_PROBLEMS.yaml);
    const error = await loadError(file);
    const places = error.problems.map((p) => [p.place?.line, p.place?.column, p.place?.path]);
    expect(places).toEqual(MANY_PROBLEMS.places);
    for (const problem of error.problems) expect(problem.suggestion).toBeTruthy();
    expect(error.message).toBe(`invalid manifest (${MANY_PROBLEMS.places.length} problems)`);
  });

  it('a missing manifest is SIDECAR_MANIFEST_NOT_FOUND (exit 3) and suggests sidecar init', async () => {
    const error = await loadError(path.join(root, 'absent', 'sidecar.yaml'));
    expect(error.code).toBe('SIDECAR_MANIFEST_NOT_FOUND');
    expect(error.exitCode).toBe(3);
    expect(error.suggestion).toMatch(/sidecar init/);
  });

  it('a directory given as the manifest names the file to pass', async () => {
    const error = await loadError(root);
    expect(error.code).toBe('SIDECAR_MANIFEST_NOT_FOUND');
    expect(error.suggestion).toMatch(/sidecar\.yaml/);
  });
});

// Tester finding: with schema problems present, the later stages (nothing to
// run, clashing names, undeclared volumes) showed up only after a first fix.
describe('every problem at once, across stages', () => {
  const yaml = `version: 1
name: Bad_Name
app:
  command: [node, server.js]
  stopTimeout: 5 parsecs
  volumes: ["data:/data"]
sidecars:
  proxy:
    helth: {tcp: {port: 9901}}
  migrate:
    command: [node, tail.js]
init:
  migrate: {command: [node, migrate.js]}
`;

  it('reports the schema problems and the later stages on what is valid, once each', async () => {
    const error = await loadError(writeCase('stages', yaml));
    const messages = error.problems.map((p) => `${p.place?.path}: ${p.message}`);
    const expectOne = (pattern: RegExp) => expect(messages.filter((m) => pattern.test(m)), messages.join('\n')).toHaveLength(1);
    expectOne(/^name: /);
    expectOne(/helth/);
    expectOne(/^app\.stopTimeout: /);
    expectOne(/proxy.*nothing to run/);
    expectOne(/"migrate" is already used/);
    expectOne(/volume "data" is not declared/);
  });
});
