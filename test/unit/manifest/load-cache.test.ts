import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {cachedLoad, keepLoad} from '../../../src/manifest/load-cache.js';
import {loadManifestWithWarnings} from '../../../src/manifest/load.js';

// Issue 13.1: the result of a manifest's load is used again only while nothing
// it depends on has changed: its text, the variables it looked up (environment
// or .env), the home directory, the code. Anything else is a full load.
const dirs: string[] = [];
const saved = {...process.env};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const MANIFEST = `version: 1
name: cached
app:
  command: [node, app.js]
  env: {GREETING: "\${GREETING:-hello}", PORT: "\${APP_PORT}"}
`;

function project(text = MANIFEST): {file: string; cache: string; dir: string} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-load-cache-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, '.sidecar'), {mode: 0o700});
  const file = path.join(dir, 'sidecar.yaml');
  writeFileSync(file, text);
  return {file, cache: path.join(dir, '.sidecar', 'load-cache.json'), dir};
}

async function kept(p: {file: string; cache: string}) {
  const loaded = await loadManifestWithWarnings(p.file);
  keepLoad(p.file, p.cache, loaded);
  return loaded;
}

const appEnv = (loaded: {manifest: {pods: {app: {env: Record<string, string>}}[]}} | undefined) => loaded?.manifest.pods[0]!.app.env;

describe('the load cache', () => {
  it('gives the kept result while nothing it depends on changed, with its warnings', async () => {
    delete process.env.APP_PORT;
    const p = project();
    const full = await kept(p);
    expect(full.warnings).toEqual([expect.stringContaining('APP_PORT')]);
    process.env.UNRELATED = 'changes nothing';
    const again = cachedLoad(p.file, p.cache);
    expect(again?.manifest).toEqual(JSON.parse(JSON.stringify(full.manifest)));
    expect(again?.warnings).toEqual(full.warnings);
  });

  it('is a full load once the text changes', async () => {
    const p = project();
    await kept(p);
    writeFileSync(p.file, MANIFEST.replace('app.js', 'server.js'));
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
  });

  it('is a full load once a variable it looked up changes, is set, or is unset', async () => {
    delete process.env.APP_PORT;
    process.env.GREETING = 'hi';
    const p = project();
    await kept(p);
    expect(appEnv(cachedLoad(p.file, p.cache))).toMatchObject({GREETING: 'hi', PORT: ''});
    process.env.GREETING = 'bonjour';
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
    process.env.GREETING = 'hi';
    process.env.APP_PORT = '8080';
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
    delete process.env.APP_PORT;
    delete process.env.GREETING;
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
  });

  it('is a full load once the .env beside the manifest gives a variable it looked up another value', async () => {
    delete process.env.APP_PORT;
    const p = project();
    writeFileSync(path.join(p.dir, '.env'), 'APP_PORT=1000\nOTHER=1\n');
    await kept(p);
    expect(appEnv(cachedLoad(p.file, p.cache))).toMatchObject({PORT: '1000'});
    writeFileSync(path.join(p.dir, '.env'), 'APP_PORT=1000\nOTHER=2\n');
    expect(cachedLoad(p.file, p.cache)).toBeDefined();
    writeFileSync(path.join(p.dir, '.env'), 'APP_PORT=2000\n');
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
  });

  it('is a full load once a variable that a .env or envFile value was interpolated from changes', async () => {
    delete process.env.APP_PORT;
    process.env.BASE_PORT = '1000';
    process.env.LEVEL = 'info';
    const p = project(MANIFEST.replace('  command: [node, app.js]\n', '  command: [node, app.js]\n  envFile: [app.env]\n'));
    writeFileSync(path.join(p.dir, '.env'), 'APP_PORT=${BASE_PORT}1\n');
    writeFileSync(path.join(p.dir, 'app.env'), 'LOG=${LEVEL}\n');
    await kept(p);
    expect(appEnv(cachedLoad(p.file, p.cache))).toMatchObject({PORT: '10001', LOG: 'info'});
    process.env.BASE_PORT = '2000';
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
    expect(appEnv(await kept(p))).toMatchObject({PORT: '20001'});
    process.env.LEVEL = 'debug';
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
    expect(appEnv(await kept(p))).toMatchObject({LOG: 'debug'});
    expect(cachedLoad(p.file, p.cache)).toBeDefined();
  });

  it('is a full load once an envFile a service reads changes, or is gone', async () => {
    const p = project(MANIFEST.replace('  command: [node, app.js]\n', '  command: [node, app.js]\n  envFile: [app.env]\n'));
    writeFileSync(path.join(p.dir, 'app.env'), 'FROM_FILE=1\n');
    await kept(p);
    expect(appEnv(cachedLoad(p.file, p.cache))).toMatchObject({FROM_FILE: '1'});
    writeFileSync(path.join(p.dir, 'app.env'), 'FROM_FILE=2\n');
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
    expect(appEnv(await kept(p))).toMatchObject({FROM_FILE: '2'});
    expect(cachedLoad(p.file, p.cache)).toBeDefined();
    rmSync(path.join(p.dir, 'app.env'));
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
  });

  it('is a full load for another home directory (`~` in volumes), another build, or another path', async () => {
    const p = project();
    await kept(p);
    process.env.HOME = path.join(p.dir, 'elsewhere');
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
    process.env.HOME = saved.HOME;
    expect(cachedLoad(p.file, p.cache)).toBeDefined();
    const record = JSON.parse(readFileSync(p.cache, 'utf8')) as {code: string};
    writeFileSync(p.cache, JSON.stringify({...record, code: `${record.code}0`}));
    expect(cachedLoad(p.file, p.cache)).toBeUndefined();
    const copy = path.join(p.dir, 'copy.yaml');
    writeFileSync(copy, MANIFEST);
    await kept(p);
    expect(cachedLoad(copy, p.cache)).toBeUndefined();
  });

  it('reads nothing through a symlink, and nothing it cannot trust', async () => {
    const p = project();
    await kept(p);
    const elsewhere = project();
    // The cache file itself a link to a valid record elsewhere.
    rmSync(elsewhere.cache, {force: true});
    symlinkSync(p.cache, elsewhere.cache);
    expect(cachedLoad(p.file, elsewhere.cache)).toBeUndefined();
    // .sidecar/ a link.
    const linked = mkdtempSync(path.join(os.tmpdir(), 'sidecar-load-cache-'));
    dirs.push(linked);
    symlinkSync(path.join(p.dir, '.sidecar'), path.join(linked, '.sidecar'));
    expect(cachedLoad(p.file, path.join(linked, '.sidecar', 'load-cache.json'))).toBeUndefined();
    for (const text of ['not json', '{}', JSON.stringify({format: 1, text: 1}), '[]']) {
      writeFileSync(p.cache, text);
      expect(cachedLoad(p.file, p.cache)).toBeUndefined();
    }
  });

  it('keeps nothing of a Kubernetes file', async () => {
    const p = project('apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: app, image: nginx:1}\n');
    await kept(p);
    expect(() => readFileSync(p.cache)).toThrow();
  });
});
