import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BAD_MANIFESTS, MANY_PROBLEMS} from '../../unit/manifest/bad-manifests.js';

// Runs the BUILT CLI (`npm test` builds first; by hand:
// `npx tsc -p tsconfig.build.json && node scripts/build-schema.js`).
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = path.join(repo, 'bin/run.js');
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-validate-'));
const STACK_LINE = /^\s{4}at /m;

beforeAll(() => {
  if (!existsSync(path.join(repo, 'dist/manifest/load.js'))) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json && node scripts/build-schema.js` first');
});
afterAll(() => rmSync(root, {recursive: true, force: true}));

function projectDir(name: string, yaml: string | undefined, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(root, name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40) + '-'));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  if (yaml !== undefined) writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return dir;
}

function validate(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'DEBUG' && key !== 'SIDECAR_FILE'));
  return execa(process.execPath, [bin, 'validate', ...args], {cwd: dir, reject: false, env: {...clean, NO_COLOR: '1', ...env}, extendEnv: false});
}

describe.concurrent('sidecar validate on bad manifests', () => {
  const cliCases = BAD_MANIFESTS.filter((bad) => bad.cli);

  it('runs a good share of the table through the CLI', () => {
    expect(cliCases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cliCases)('$name: exit 3, place, fix, no stack', async (bad) => {
    const dir = projectDir(bad.name, bad.yaml, bad.files);
    const result = await validate(dir, ['-f', 'sidecar.yaml'], bad.env);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(/^Error SIDECAR_MANIFEST_INVALID: invalid manifest \(\d+ problems?\)$/);
    // The first problem: its place line, then what is wrong, then the fix.
    expect(lines[1]).toBe(`  ${`sidecar.yaml:${bad.line}:${bad.column} ${bad.path}`.trimEnd()}`);
    expect(lines[2]).toMatch(bad.message);
    expect(lines[3]).toMatch(/^ {4}fix: \S/);
    expect(lines[3]).toMatch(bad.suggestion ?? /./);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('reports several problems at once, sorted by position, in text and in --json', async () => {
    const dir = projectDir('many', MANY_PROBLEMS.yaml);
    const text = await validate(dir, ['-f', 'sidecar.yaml']);
    expect(text.exitCode).toBe(3);
    const places = text.stderr.split('\n').filter((line) => line.startsWith('  sidecar.yaml:'));
    expect(places).toEqual(MANY_PROBLEMS.places.map(([line, column, p]) => `  sidecar.yaml:${line}:${column} ${p}`));
    expect(text.stderr.match(/^ {4}fix: /gm)).toHaveLength(MANY_PROBLEMS.places.length);

    const json = await validate(dir, ['-f', 'sidecar.yaml', '--json']);
    expect(json.exitCode).toBe(3);
    expect(json.stderr).toBe('');
    const out = JSON.parse(json.stdout) as {valid: boolean; file: string; problems: {message: string; suggestion: string; place: {file: string; line: number; column: number; path: string}}[]};
    expect(out.valid).toBe(false);
    expect(out.file).toBe('sidecar.yaml');
    expect(out.problems.map((p) => [p.place.line, p.place.column, p.place.path])).toEqual(MANY_PROBLEMS.places);
    for (const problem of out.problems) {
      expect(problem.place.file).toBe('sidecar.yaml');
      expect(problem.suggestion).toBeTruthy();
      // The same words as the human output.
      expect(text.stderr).toContain(`    ${problem.message}\n`);
    }
  });

  it('a missing manifest exits 3 and suggests sidecar init, in text and in --json', async () => {
    const dir = projectDir('missing', undefined);
    const text = await validate(dir);
    expect(text.exitCode).toBe(3);
    expect(text.stderr).toMatch(/SIDECAR_MANIFEST_NOT_FOUND: no manifest at sidecar\.yaml/);
    expect(text.stderr).toMatch(/fix: .*sidecar init/);
    expect(text.stderr).not.toMatch(STACK_LINE);

    const json = await validate(dir, ['--json']);
    expect(json.exitCode).toBe(3);
    const out = JSON.parse(json.stdout) as {error: {code: string; exitCode: number; suggestion: string}};
    expect(out.error).toMatchObject({code: 'SIDECAR_MANIFEST_NOT_FOUND', exitCode: 3});
    expect(out.error.suggestion).toMatch(/sidecar init/);
  });

  // Found by a new user's trial: a `.env` line that is not KEY=VALUE was skipped
  // in silence, and `.env` values were not interpolated as Compose does.
  it('a bad line in .env or an envFile is exit 3 at that file:line:column, naming the manifest and a fix', async () => {
    const dir = projectDir('dotenv-bad-line', 'version: 1\napp:\n  command: [node, a.js]\n  envFile: [conf/app.env]\n', {'.env': 'A=1\n# ok\nPASSWORD hunter2\n'});
    mkdirSync(path.join(dir, 'conf'));
    writeFileSync(path.join(dir, 'conf/app.env'), 'X="unclosed\n');
    const result = await validate(dir);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('invalid manifest sidecar.yaml (1 problem)');
    expect(result.stderr).toContain('.env:3:1');
    expect(result.stderr).toContain('"PASSWORD hunter2" is not KEY=VALUE');
    expect(result.stderr).toContain('fix: write KEY=VALUE');
    expect(result.stderr).not.toMatch(STACK_LINE);
    writeFileSync(path.join(dir, '.env'), 'HOST=db\nURL=http://${HOST}:${PORT:-5432}\n');
    const second = await validate(dir, ['--json']);
    expect(second.exitCode).toBe(3);
    expect(JSON.parse(second.stdout).problems).toEqual([
      expect.objectContaining({message: 'the double quote that starts the value of X is never closed', place: expect.objectContaining({file: path.join('conf', 'app.env'), line: 1, column: 3})}),
    ]);
    writeFileSync(path.join(dir, 'conf/app.env'), 'X="${URL}/x"\n');
    expect((await validate(dir)).exitCode).toBe(0);
  });

  // Found by a new user's trial: three generic problems (no app:, no version,
  // unknown key services), none saying what the file is.
  it('a docker-compose file given as the manifest is said to be one, with `sidecar import` as the fix', async () => {
    const dir = projectDir('compose-given', undefined, {'docker compose.yml': 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n'});
    const result = await validate(dir, ['-f', 'docker compose.yml']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('invalid manifest (1 problem)');
    expect(result.stderr).toContain('docker compose.yml:1:1 services');
    expect(result.stderr).toContain('this is a docker-compose file (top-level `services:`), not a sidecar manifest');
    expect(result.stderr).toContain("fix: `sidecar import 'docker compose.yml'` writes the sidecar.yaml equivalent");
    // A manifest with a stray `services:` key next to its app is a manifest with a typo, as ever.
    writeFileSync(path.join(dir, 'sidecar.yaml'), 'version: 1\napp: {command: [node, a.js]}\nservices: {}\n');
    const typo = await validate(dir);
    expect(typo.exitCode).toBe(3);
    expect(typo.stderr).toContain('unknown key "services"');
  });

  // Found by a new user's trial: from a subdirectory of a project, "no manifest at
  // sidecar.yaml" with `sidecar init` as the fix.
  it('run from a subdirectory, the missing manifest names the nearest one above', async () => {
    const dir = projectDir('from-below', 'version: 1\napp:\n  command: [node, server.js]\n');
    const below = path.join(dir, 'src', 'lib');
    mkdirSync(below, {recursive: true});
    const result = await validate(below);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('no manifest at sidecar.yaml');
    expect(result.stderr).toContain('fix: ../../sidecar.yaml is the nearest one above: run sidecar from its directory, or point at it with -f ../../sidecar.yaml');
    expect((await validate(below, ['-f', '../../sidecar.yaml'])).exitCode).toBe(0);
  });

  it('SIDECAR_FILE points at the manifest when -f is not given', async () => {
    const dir = projectDir('env-file', undefined, {'stack.yaml': 'version: 1\napp:\n  command: [node, server.js]\n'});
    const result = await validate(dir, [], {SIDECAR_FILE: 'stack.yaml'});
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^stack\.yaml is valid/);
  });

  // Issue 8.1: the error's own fix (quote it) must lead to a valid manifest.
  it('typed interpolation: {port: "${APP_PORT}"}, retries: "${N:-3}", external: "${EXT:-false}" are valid', async () => {
    const yaml = 'version: 1\napp:\n  command: [node, server.js]\n  maxRestarts: "${M}"\n  health: {http: {port: "${APP_PORT}"}, retries: "${N:-3}", interval: "${INTERVAL}"}\nvolumes:\n  data: {external: "${EXT:-false}"}\n';
    const dir = projectDir('typed', yaml);
    const result = await validate(dir, [], {APP_PORT: '30080', M: '5', INTERVAL: '2s'});
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const unset = await validate(dir, [], {M: '5', INTERVAL: '2s'});
    expect(unset.exitCode).toBe(3);
    expect(unset.stderr).toContain('  sidecar.yaml:5:25 app.health.http.port\n    APP_PORT is not set: expected integer, got ""');
  });

  // Issue 8.6: a missing workdir surfaced at `up` as "the app completed with exit code 0".
  it('a missing workdir or build context is exit 3 at its line; once created, valid', async () => {
    const dir = projectDir('paths', 'version: 1\napp:\n  build: ./web\n  command: [node, server.js]\n  workdir: ./web\n');
    const missing = await validate(dir);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toContain('  sidecar.yaml:3:10 app.build\n    build context ./web does not exist\n    fix: create it (mkdir -p ./web)');
    expect(missing.stderr).toContain('  sidecar.yaml:5:12 app.workdir\n    workdir ./web does not exist\n');
    mkdirSync(path.join(dir, 'web'));
    const created = await validate(dir);
    expect(created.stderr).toBe('');
    expect(created.exitCode).toBe(0);
  });

  it('an unknown flag is a usage error: exit 2, no stack', async () => {
    const dir = projectDir('bogus', 'version: 1\napp:\n  command: [node]\n');
    const result = await validate(dir, ['--bogus']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/SIDECAR_USAGE.*--bogus/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('DEBUG=sidecar* adds the stack trace', async () => {
    const dir = projectDir('debug', 'version: 2\napp:\n  command: [node]\n');
    const result = await validate(dir, [], {DEBUG: 'sidecar*'});
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(STACK_LINE);
  });

  it('a valid manifest exits 0, with unset variables as warnings; --json is only JSON', async () => {
    const yaml = 'version: 1\nname: shop\napp:\n  command: [node, server.js]\n  env: {TOKEN: "${TOKEN}"}\nsidecars:\n  proxy: {image: envoy}\ninit:\n  migrate: {command: [node, migrate.js]}\n';
    const dir = projectDir('valid', yaml);
    const text = await validate(dir);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toBe('sidecar.yaml is valid: project shop, 3 services (1 init job, 1 sidecar, 1 app)');
    expect(text.stderr).toMatch(/warning: variable TOKEN is not set/);

    const json = await validate(dir, ['--json']);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      valid: true, file: 'sidecar.yaml', project: 'shop', services: 3, problems: [],
      warnings: [expect.stringMatching(/TOKEN is not set/)],
    });
  });
});
