import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {Writable} from 'node:stream';
import {pathToFileURL} from 'node:url';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, root} from '../cli/cli-harness.js';

// Issue 13.1: what loads on the path to the first service. A resolve hook
// records every module the plain build loads; each package found here cost
// milliseconds from the bundle with its V8 code cache too (measured alone):
// execa's graph 12-18 ms in the detached supervisor, which loads the process
// runtime before it starts the first service, for a spawn with pipes (the runtime
// spawns with node:child_process; execa stays with `exec`, loaded when used);
// chalk ~4 ms in the supervisor and the lean CLI, for an error block that only a
// failure prints.
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-runtime-modules-'));
const seen = path.join(dir, 'seen.txt');
const manifestFile = path.join(dir, 'sidecar.yaml');
const load = pathToFileURL(path.join(root, 'dist/manifest/load.js')).href;

beforeAll(() => {
  ensureBuilt();
  writeFileSync(manifestFile, `version: 1\nname: runtime-modules\napp:\n  command: [${JSON.stringify(process.execPath)}, -e, "setInterval(() => {}, 1000)"]\n  stopTimeout: 2s\n`);
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `import {appendFileSync} from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(seen)}, resolved.url + '\\n');
  return resolved;
}
`,
  );
  writeFileSync(path.join(dir, 'register.mjs'), `import {register} from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
}, 120_000);

async function packagesLoadedBy(script: string): Promise<string[]> {
  writeFileSync(seen, '');
  const run = await execa(process.execPath, ['--import', path.join(dir, 'register.mjs'), '--input-type=module', '-e', script], {cwd: root, reject: false});
  expect(run.exitCode, run.stderr).toBe(0);
  return packagesSeen();
}

function packagesSeen(): string[] {
  return [...new Set(readFileSync(seen, 'utf8').split('\n').filter(Boolean).filter((url) => url.includes('/node_modules/')).map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? url))];
}

describe('the detached supervisor', () => {
  it('loads no package before its arguments come (chalk, for the error block, only on a failure)', async () => {
    writeFileSync(seen, '');
    // Started ahead as bin/run.js starts it, then told it is not needed (fd 3 closed with nothing on it).
    const run = execa(process.execPath, ['--import', path.join(dir, 'register.mjs'), path.join(root, 'dist/host/supervisor-main.js'), '--args-on-fd3', '--runtime=process'], {cwd: dir, reject: false, stdio: ['ignore', 'pipe', 'pipe', 'pipe']});
    (run.stdio[3] as unknown as Writable).end();
    const result = await run;
    expect(result.exitCode, result.stderr).toBe(0);
    // The hook saw the supervisor's modules (not vacuous), and no package among them.
    expect(readFileSync(seen, 'utf8')).toContain('/dist/host/stack-host.js');
    expect(packagesSeen()).toEqual([]);
  }, 60_000);
});

describe('the lean CLI (`up -d`, `up --wait`, `down`, `validate` without oclif)', () => {
  it('loads no chalk with its own modules: the error block loads it on a failure', async () => {
    const lean = pathToFileURL(path.join(root, 'dist/lean-cli.js')).href;
    writeFileSync(seen, '');
    const packages = await packagesLoadedBy(`await import(${JSON.stringify(lean)});`);
    expect(readFileSync(seen, 'utf8')).toContain('/dist/stack/up-command.js');
    expect(packages).not.toContain('chalk');
  }, 60_000);
});

// Issue 13.1: node:crypto costs 3-4 ms to load (15 internal modules); `up` and
// `down` needed it only for a lock token, read from /dev/urandom now (random-id.ts),
// and the supervisor for the stack marker's sha256 (@noble/hashes now).
describe('the CLI as users run it (bin/run.js)', () => {
  it('loads no node:crypto in `up --wait`, its supervisor or Node\'s `down` (nor node:child_process for `down`)', async () => {
    const builtins = path.join(dir, 'builtins.jsonl');
    writeFileSync(builtins, '');
    writeFileSync(
      path.join(dir, 'builtins.cjs'),
      `process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(builtins)}, JSON.stringify({argv: process.argv.slice(1, 3), crypto: process.moduleLoadList.includes('NativeModule crypto'), childProcess: process.moduleLoadList.includes('NativeModule child_process')}) + '\\n'));\n`,
    );
    const env = {...process.env, NODE_OPTIONS: `-r ${path.join(dir, 'builtins.cjs')}`};
    const up = await execa(path.join(root, 'bin/run.js'), ['up', '--wait', '--runtime', 'process', '-f', manifestFile], {cwd: dir, env, reject: false});
    // bin/run.js's sh line stops a detached stack without Node (bin/down.sh): no Node start to see.
    const shDown = await execa(path.join(root, 'bin/run.js'), ['down', '-f', manifestFile], {cwd: dir, env, reject: false});
    expect(shDown.stdout, shDown.stderr).toMatch(/^stopped /);
    expect(readFileSync(builtins, 'utf8').split('\n').filter((line) => line.includes('"down"'))).toEqual([]);
    // Node's `down` (any form the shell leaves to it; `node bin/run.js` here).
    expect((await execa(path.join(root, 'bin/run.js'), ['up', '--wait', '--runtime', 'process', '-f', manifestFile], {cwd: dir, env, reject: false})).exitCode).toBe(0);
    const down = await execa(process.execPath, [path.join(root, 'bin/run.js'), 'down', '-f', manifestFile], {cwd: dir, env, reject: false});
    // A program that loads node:crypto, seen by the same hook: the checks below are not vacuous.
    await execa(process.execPath, ['-e', "require('node:crypto')", 'control'], {env});
    expect(up.exitCode, up.stderr).toBe(0);
    expect(down.exitCode, down.stderr).toBe(0);
    const seenBy = readFileSync(builtins, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as {argv: string[]; crypto: boolean; childProcess: boolean});
    const of = (command: string) => seenBy.find((entry) => entry.argv[0]!.endsWith('bin/run.js') && entry.argv[1] === command);
    expect(of('up')).toEqual(expect.objectContaining({crypto: false}));
    // `down` spawns nothing: node:child_process (~1 ms) is not loaded either, where `up` needs it.
    expect(of('down')).toEqual(expect.objectContaining({crypto: false, childProcess: false}));
    expect(of('up')).toEqual(expect.objectContaining({childProcess: true}));
    expect(seenBy.find((entry) => entry.argv[0]!.endsWith('supervisor.js'))).toEqual(expect.objectContaining({crypto: false}));
    expect(seenBy.find((entry) => entry.argv[0] === 'control')).toEqual(expect.objectContaining({crypto: true}));
  }, 60_000);
});

// A script that prepares the process runtime (plain build) for the manifest above, then runs `body`.
const runtimeUrl = pathToFileURL(path.join(root, 'dist/runtime/process/process-runtime.js')).href;
const withRuntime = (body: string): string => `
const {ProcessRuntime} = await import(${JSON.stringify(runtimeUrl)});
const runtime = new ProcessRuntime();
const manifest = await (await import(${JSON.stringify(load)})).loadManifest(${JSON.stringify(manifestFile)});
const service = manifest.pods[0].app;
await runtime.prepare(manifest, {log: () => {}});
${body}`;

describe('the process runtime', () => {
  it('starts and stops a service without loading execa', async () => {
    const packages = await packagesLoadedBy(withRuntime(`const unit = await runtime.start(service);
const exit = await runtime.stop(unit, 'SIGTERM', 2000);
if (exit.signal !== 'SIGTERM') throw new Error('unexpected exit: ' + JSON.stringify(exit));
await runtime.teardown(manifest, {removeVolumes: false});
`));
    // The hook sees packages at all (yaml, through the manifest loader): the assertion is not vacuous.
    expect(packages.length).toBeGreaterThan(0);
    expect(packages).not.toContain('execa');
  }, 60_000);

  it('loads execa for `exec`, and runs the command', async () => {
    const packages = await packagesLoadedBy(withRuntime(`const result = await runtime.exec(service, ['sh', '-c', 'echo out; exit 3'], {});
if (result.exitCode !== 3 || result.stdout.trim() !== 'out') throw new Error('unexpected exec result: ' + JSON.stringify(result));
`));
    expect(packages).toContain('execa');
  }, 60_000);
});
