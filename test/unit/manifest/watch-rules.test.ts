import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError, type Problem} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {sourceOfManifest} from '../../../src/manifest/loaded-source.js';
import {allServices} from '../../../src/manifest/types.js';
import {watchedServices, watchRuntimeProblems} from '../../../src/manifest/watch-rules.js';

// Issue 11.1: `watch:` rules per service, validated at file:line:column.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-watch-rules-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function write(yaml: string): string {
  const dir = mkdtempSync(path.join(root, 'case-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return path.join(dir, 'sidecar.yaml');
}

async function problems(yaml: string): Promise<string[]> {
  const file = write(yaml);
  try {
    await loadManifest(file);
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    expect(error.code).toBe('SIDECAR_MANIFEST_INVALID');
    for (const problem of error.problems) expect(problem.place?.file).toBe(file);
    return error.problems.map((p) => `${p.place?.line}:${p.place?.column} ${p.place?.path} | ${p.message}`);
  }
  throw new Error('loaded without an error');
}

const app = (watch: string) => `version: 1\napp:\n  command: [node, server.js]\n  watch:\n${watch}`;

const INVALID: {name: string; yaml: string; expected: RegExp}[] = [
  {name: 'an unknown action', yaml: app('    - {path: ./src, action: reload}\n'), expected: /^5:\d+ app\.watch\[0\]\.action \| "reload" is not one of: restart, sync, sync\+restart, rebuild/},
  {name: 'a path outside the project', yaml: app('    - {path: ../elsewhere, action: restart}\n'), expected: /^5:\d+ app\.watch\[0\]\.path \| watch path "\.\.\/elsewhere" is outside the project/},
  {name: 'an absolute path outside the project', yaml: app('    - path: /etc\n      action: restart\n'), expected: /^5:\d+ app\.watch\[0\]\.path \| watch path "\/etc" is outside the project/},
  {name: 'a rule without an action', yaml: app('    - {path: ./src}\n'), expected: /^5:\d+ app\.watch\[0\]/},
  {name: 'a relative target', yaml: app('    - {path: ./src, action: sync, target: app/src}\n'), expected: /^5:\d+ app\.watch\[0\]\.target \| watch target "app\/src" is not an absolute path/},
  {name: 'an unknown key in a rule', yaml: app('    - {path: ./src, action: restart, tagret: /app}\n'), expected: /^5:\d+ app\.watch\[0\]/},
  {name: 'a sidecar rule in the second pod', yaml: 'version: 1\npods:\n  a:\n    app: {command: [x]}\n  b:\n    app: {command: [x]}\n    sidecars:\n      proxy:\n        command: [y]\n        watch:\n          - {path: ../../x, action: restart}\n', expected: /^11:\d+ pods\.b\.sidecars\.proxy\.watch\[0\]\.path \| watch path/},
];

describe('watch rules in the manifest (issue 11.1)', () => {
  for (const c of INVALID) {
    it(`refuses ${c.name} at file:line:column`, async () => {
      const found = await problems(c.yaml);
      expect(found.some((line) => c.expected.test(line)), found.join('\n')).toBe(true);
    });
  }

  it('normalizes paths to absolute ones inside the project, with ignore and target kept', async () => {
    const file = write(app('    - {path: ./src, action: sync+restart, target: /app/src, ignore: ["*.test.js"]}\n    - {path: package.json, action: rebuild}\n    - {path: ., action: restart}\n'));
    const manifest = await loadManifest(file);
    const dir = path.dirname(file);
    expect(manifest.pods[0]!.app.watch).toEqual([
      {path: path.join(dir, 'src'), action: 'sync+restart', target: '/app/src', ignore: ['*.test.js']},
      {path: path.join(dir, 'package.json'), action: 'rebuild', ignore: []},
      {path: dir, action: 'restart', ignore: []},
    ]);
    expect(watchedServices(manifest)).toEqual(['app']);
  });

  it('gives services without rules an empty list, and none watched', async () => {
    const manifest = await loadManifest(write('version: 1\napp:\n  command: [x]\nsidecars:\n  proxy: {command: [y]}\n'));
    expect(allServices(manifest).map((s) => s.watch)).toEqual([[], []]);
    expect(watchedServices(manifest)).toEqual([]);
  });

  const RUNTIME: {runtime: string; action: string; target: boolean; count: number}[] = [
    {runtime: 'docker', action: 'sync', target: false, count: 1},
    {runtime: 'docker', action: 'sync+restart', target: false, count: 1},
    {runtime: 'docker', action: 'sync', target: true, count: 0},
    {runtime: 'docker', action: 'restart', target: false, count: 0},
    {runtime: 'process', action: 'sync', target: false, count: 0},
  ];
  for (const c of RUNTIME) {
    it(`${c.runtime}: ${c.action} ${c.target ? 'with' : 'without'} target -> ${c.count} problem(s)`, async () => {
      const file = write(app(`    - {path: ./src, action: ${c.action}${c.target ? ', target: /app/src' : ''}}\n`));
      const manifest = await loadManifest(file);
      const found = watchRuntimeProblems(sourceOfManifest(manifest), manifest, c.runtime);
      expect(found).toHaveLength(c.count);
      if (c.count > 0) {
        expect(found[0]!.place).toMatchObject({file, line: 5, path: 'app.watch[0]'});
        expect(found[0]!.message).toMatch(/no target/);
        expect(found[0]!.suggestion).toMatch(/target:/);
      }
    });
  }

  // Issue 11.4: under Docker a rebuild needs a build context (Compose refuses the same).
  it('docker: rebuild of a service without build is refused at the rule; with build, or on the process runtime, accepted', async () => {
    const imageOnly = await loadManifest(write(app('    - {path: ./src, action: rebuild}\n')));
    const found = watchRuntimeProblems(sourceOfManifest(imageOnly), imageOnly, 'docker');
    expect(found).toHaveLength(1);
    expect(found[0]!.place).toMatchObject({line: 5, path: 'app.watch[0].action'});
    expect(found[0]!.message).toMatch(/app has no build/);
    expect(found[0]!.suggestion).toMatch(/build: \{context: \.\}/);
    expect(watchRuntimeProblems(sourceOfManifest(imageOnly), imageOnly, 'process')).toEqual([]);
    const built = await loadManifest(write('version: 1\napp:\n  build: {context: .}\n  watch:\n    - {path: ./src, action: rebuild}\n'));
    expect(watchRuntimeProblems(sourceOfManifest(built), built, 'docker')).toEqual([]);
  });
});

// Found by a new user's trial: `path: ./out`, `out` a symbolic link to a directory
// outside the project, passed `validate` (the check was textual) and `up --watch`
// copied the files behind the link into the container. A sync path that resolves
// outside the project is refused like `../`, at its line, by `validate` and by `up --watch`.
describe('a sync path that leads through a symbolic link out of the project', () => {
  const outside = mkdtempSync(path.join(root, 'outside-'));
  writeFileSync(path.join(outside, 's.txt'), 'secret\n');
  const linked = (yaml: string, links: Record<string, string>): string => {
    const file = write(yaml);
    for (const [name, target] of Object.entries(links)) {
      mkdirSync(path.dirname(path.join(path.dirname(file), name)), {recursive: true});
      symlinkSync(target, path.join(path.dirname(file), name));
    }
    return file;
  };
  async function refusal(file: string): Promise<Problem[]> {
    try {
      await loadManifest(file, {checkPaths: true});
    } catch (error) {
      if (!(error instanceof SidecarError)) throw error;
      expect(error.code).toBe('SIDECAR_MANIFEST_INVALID');
      return error.problems;
    }
    throw new Error('loaded without an error');
  }

  const CASES: {name: string; rule: string; links: Record<string, string>}[] = [
    {name: 'a link to a directory outside', rule: '{path: ./out, action: sync, target: /x}', links: {out: outside}},
    {name: 'a relative link that climbs out', rule: '{path: out, action: sync+restart, target: /x}', links: {out: path.relative(root, outside).replace(/^/, '../')}},
    {name: 'a path below such a link', rule: '{path: ./out/sub, action: sync, target: /x}', links: {out: outside}},
    {name: 'a path below a linked parent', rule: '{path: ./a/out, action: sync, target: /x}', links: {a: outside}},
    {name: 'a file reached through a link', rule: '{path: ./out/s.txt, action: sync, target: /x/s.txt}', links: {out: outside}},
    {name: 'a dangling link that would point outside', rule: '{path: ./later, action: sync, target: /x}', links: {later: path.join(outside, 'not-yet')}},
  ];
  for (const c of CASES) {
    it(`validate refuses ${c.name} at file:line:column, with a fix`, async () => {
      const file = linked(app(`    - ${c.rule}\n`), c.links);
      const found = await refusal(file);
      expect(found).toHaveLength(1);
      expect(found[0]!.place).toMatchObject({file, line: 5, path: 'app.watch[0].path'});
      expect(found[0]!.place!.column).toBeGreaterThan(0);
      expect(found[0]!.message).toMatch(/watch path ".*" leads outside the project through a symbolic link/);
      expect(found[0]!.suggestion).toMatch(/inside the project/);
    });
  }

  it('up --watch refuses it too (the load cache skips path checks)', async () => {
    const file = linked(app('    - {path: ./out, action: sync, target: /x}\n'), {out: outside});
    const manifest = await loadManifest(file);
    for (const runtime of ['docker', 'process']) {
      const found = watchRuntimeProblems(sourceOfManifest(manifest), manifest, runtime);
      expect(found.map((p) => `${p.place?.line} ${p.place?.path}`)).toEqual(['5 app.watch[0].path']);
    }
  });

  it('accepts a link that stays in the project, and a restart rule (nothing is copied)', async () => {
    const file = linked(app('    - {path: ./www, action: sync, target: /x}\n    - {path: ./out, action: restart}\n'), {www: 'src', out: outside});
    const manifest = await loadManifest(file, {checkPaths: true});
    expect(watchRuntimeProblems(sourceOfManifest(manifest), manifest, 'docker')).toEqual([]);
  });
});
