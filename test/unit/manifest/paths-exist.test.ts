import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';

// Issue 8.6: validate checks that `workdir` and `build.context` exist (a missing
// workdir surfaced at `up` as "the app completed with exit code 0").
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-paths-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function project(yaml: string, dirs: string[] = [], files: string[] = []): string {
  const dir = mkdtempSync(path.join(root, 'p-'));
  for (const d of dirs) mkdirSync(path.join(dir, d), {recursive: true});
  for (const f of files) writeFileSync(path.join(dir, f), '');
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return path.join(dir, 'sidecar.yaml');
}

async function problems(file: string) {
  const error: unknown = await loadManifest(file, {env: {}, checkPaths: true}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SidecarError);
  expect((error as SidecarError).exitCode).toBe(3);
  return (error as SidecarError).problems;
}

describe('directories the manifest names must exist (issue 8.6)', () => {
  it.each([
    ['workdir', 'version: 1\napp:\n  command: [node, server.js]\n  workdir: ./app\n', 4, 12, 'app.workdir', /^workdir \.\/app does not exist$/],
    ['process.workdir', 'version: 1\napp:\n  command: [node]\n  process: {workdir: srv}\n', 4, 22, 'app.process.workdir', /^process\.workdir \.\/srv does not exist$/],
    ['build (short form)', 'version: 1\napp:\n  build: ./web\n', 3, 10, 'app.build', /^build context \.\/web does not exist$/],
    ['build.context', 'version: 1\napp:\n  command: [x]\nsidecars:\n  proxy:\n    build: {context: ./proxy, dockerfile: Dockerfile}\n', 6, 22, 'sidecars.proxy.build.context', /^build context \.\/proxy does not exist$/],
    ['an init job workdir', 'version: 1\napp:\n  command: [x]\ninit:\n  migrate: {command: [x], workdir: ../elsewhere/db}\n', 5, 36, 'init.migrate.workdir', /elsewhere\/db does not exist$/],
  ])('a missing %s is exit 3 at its line, with a fix', async (_what, yaml, line, column, at, message) => {
    const [problem] = await problems(project(yaml));
    expect(problem!.message).toMatch(message);
    expect(problem!.place).toMatchObject({line, column, path: at});
    expect(problem!.suggestion).toMatch(/^create it \(mkdir -p \S+\) or fix the path; it is relative to the manifest's directory$/);
  });

  // Regression: paths-exist had its own basePath without pods, so inside a pod a
  // missing workdir passed validate and the others were placed at the top level.
  it('inside pods: every missing directory at its place in its pod', async () => {
    const yaml = 'version: 1\npods:\n  web:\n    app: {command: [x], workdir: ./web}\n  api:\n    app: {build: ./api, process: {workdir: ./srv}}\n    sidecars:\n      proxy: {build: {context: ./proxy}}\n';
    const found = (await problems(project(yaml))).map((p) => `${p.place?.line}:${p.place?.column} ${p.place?.path} | ${p.message}`);
    expect(found).toEqual([
      '4:34 pods.web.app.workdir | workdir ./web does not exist',
      '6:18 pods.api.app.build | build context ./api does not exist',
      '6:44 pods.api.app.process.workdir | process.workdir ./srv does not exist',
      '8:32 pods.api.sidecars.proxy.build.context | build context ./proxy does not exist',
    ]);
  });

  it('a workdir that is a file is reported as such', async () => {
    const [problem] = await problems(project('version: 1\napp:\n  command: [x]\n  workdir: server.js\n', [], ['server.js']));
    expect(problem!.message).toBe('workdir ./server.js is a file, not a directory');
  });

  it('every missing directory is reported at once', async () => {
    const yaml = 'version: 1\napp:\n  build: ./app\n  workdir: ./app\nsidecars:\n  proxy: {build: ./proxy, workdir: ./proxy}\n';
    expect((await problems(project(yaml))).map((p) => p.place?.path)).toEqual(['app.build', 'app.workdir', 'sidecars.proxy.build', 'sidecars.proxy.workdir']);
  });

  it('existing directories pass; without a workdir the manifest directory is used', async () => {
    const m = await loadManifest(project('version: 1\napp:\n  build: ./app\n  workdir: ./app\nsidecars:\n  proxy: {command: [x]}\n', ['app']), {env: {}, checkPaths: true});
    expect(m.pods[0]!.app.build?.context).toBe(m.pods[0]!.app.workdir);
  });

  it('the check is off unless asked for (scaffolding validates before writing the directories)', async () => {
    const m = await loadManifest(project('version: 1\napp:\n  command: [x]\n  workdir: ./app\n'), {env: {}});
    expect(m.pods[0]!.app.workdir).toMatch(/app$/);
  });

  it('the rich fixture names only directories that exist', async () => {
    const rich = fileURLToPath(new URL('../../fixtures/manifests/rich/sidecar.yaml', import.meta.url));
    await expect(loadManifest(rich, {env: {}, checkPaths: true})).resolves.toMatchObject({name: 'rich-dev'});
  });
});
