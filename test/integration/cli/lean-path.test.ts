import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {execa} from 'execa';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {appAndSidecar, cli, eventually, processesIn, project, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 13.1: plain `up -d`/`up --wait`/`down` run without oclif, and `up` starts
// the detached supervisor before the CLI loads (bin/run.js). Behaviour must not
// change: same results, same error blocks and exit codes as through oclif, and a
// supervisor started ahead that is not needed leaves nothing behind.
const track = trackProjects();

// Supervisors started ahead (waiting for their arguments) in this project directory.
const aheadIn = (dir: string): number[] => processesIn(dir, '--args-on-fd3');

describe('lean up/down', () => {
  it('a second up --wait uses the supervisor started ahead; down stops it all', async () => {
    const p = track(project(appAndSidecar('lean')));
    // The first up creates .sidecar/ the usual way (nothing is created ahead of the checks).
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const pid = Number(/supervisor pid (\d+)/.exec(up.stdout)?.[1]);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('--args-on-fd3');
    const ps = await cli(p, ['ps', '--json']);
    expect(JSON.parse(ps.stdout).services.map((s: {name: string; state: string}) => `${s.name}:${s.state}`)).toEqual(['proxy:running', 'app:running']);
    const down = await cli(p, ['down']);
    expect(down.stdout).toBe('stopped lean');
    expect(survivors(p.mark)).toEqual([]);
  });

  it('a supervisor started ahead for an up that fails its checks is ended, and writes nothing', async () => {
    const p = track(project(appAndSidecar('lean-fail')));
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    const log = path.join(p.dir, '.sidecar', 'supervisor.log');
    const size = statSync(log).size;
    writeFileSync(path.join(p.dir, 'sidecar.yaml'), 'version: 1\nname: lean-fail\napp: {command: [node, x.js]\n');
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(3);
    expect(up.stderr).toContain('SIDECAR_MANIFEST_INVALID');
    await eventually(() => aheadIn(p.dir).length === 0, 10_000, 'the supervisor started ahead to end');
    expect(statSync(log).size).toBe(size);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('a down whose supervisor answers runs from the down bundle alone; anything else goes on to the lean CLI', async () => {
    const p = track(project(appAndSidecar('lean-down')));
    // What this process loaded, as require's cache holds it at exit (bin/load-bundle.js registers each bundle there).
    const loadedFile = path.join(p.dir, 'loaded.json');
    const hook = path.join(p.dir, 'loaded-hook.cjs');
    writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const bin = path.resolve(import.meta.dirname, '../../../bin/run.js');
    const down = async (): Promise<{stdout: string; bundles: string[]}> => {
      const run = await execa(process.execPath, [bin, 'down'], {reject: false, cwd: p.dir, env: {...p.env, NODE_OPTIONS: `--require ${hook}`}});
      expect(run.exitCode, run.stderr).toBe(0);
      const loaded = existsSync(loadedFile) ? (JSON.parse(readFileSync(loadedFile, 'utf8')) as string[]) : [];
      return {stdout: run.stdout, bundles: loaded.filter((f) => f.includes(`${path.sep}bundle${path.sep}`)).map((f) => path.basename(f)).sort()};
    };
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const stopped = await down();
    expect(stopped.stdout).toBe('stopped lean-down');
    // Only with the bundles built (npm run build); the plain build loads no bundle at all.
    if (stopped.bundles.length > 0) expect(stopped.bundles).toEqual(['boot.cjs', 'down.cjs']);
    expect(survivors(p.mark)).toEqual([]);
    // Nothing runs: the lean CLI says so, as before.
    const nothing = await down();
    expect(nothing.stdout).toBe('nothing is running');
    if (nothing.bundles.length > 0) expect(nothing.bundles).toEqual(['boot.cjs', 'down.cjs', 'lean.cjs']);
  });

  it('validate reads the precompiled schema validator with its code cache, not through require', async () => {
    const p = track(project(appAndSidecar('lean-validator')));
    // Files compiled by require (Module.prototype._compile) and require's cache, as this process saw them at exit.
    const seenFile = path.join(p.dir, 'seen.json');
    const hook = path.join(p.dir, 'compile-hook.cjs');
    writeFileSync(
      hook,
      `const Module = require('node:module'); const compiled = []; const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) { compiled.push(filename); return compile.call(this, content, filename); };
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(seenFile)}, JSON.stringify({compiled, cached: Object.keys(require.cache)})));\n`,
    );
    const bin = path.resolve(import.meta.dirname, '../../../bin/run.js');
    const run = await execa(process.execPath, [bin, 'validate'], {reject: false, cwd: p.dir, env: {...p.env, NODE_OPTIONS: `--require ${hook}`}});
    expect(run.exitCode, run.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(seenFile, 'utf8')) as {compiled: string[]; cached: string[]};
    const validator = (files: string[]) => files.filter((f) => f.endsWith('schema-validator.cjs'));
    // Loaded (bin/load-bundle.js registers what it reads in require's cache)...
    expect(validator(seen.cached)).toHaveLength(1);
    // ...but never compiled from source by require.
    expect(validator(seen.compiled)).toEqual([]);
    // With the bundles built (npm run build, as CI does), the copy beside them has its recorded cache.
    const loaded = validator(seen.cached)[0]!;
    if (loaded.includes(`${path.sep}bundle${path.sep}`)) expect(existsSync(`${loaded}.cache`)).toBe(true);
    // Issue 2.10 on a fast machine: the manifest pipeline from a bundle of its own, not the
    // lean bundle of `up` and `down` (three times its size, with node:net at load).
    const bundles = seen.cached.filter((f) => f.includes(`${path.sep}bundle${path.sep}`)).map((f) => path.basename(f)).sort();
    if (bundles.length > 0) expect(bundles).toEqual(['boot.cjs', 'schema-validator.cjs', 'validate.cjs']);
  });

  it('validate with nothing to warn about writes nothing to stderr, and does not even open it', async () => {
    const p = track(project(appAndSidecar('lean-validate-quiet')));
    const seenFile = path.join(p.dir, 'builtins.json');
    const hook = path.join(p.dir, 'stderr-hook.cjs');
    // Whether this process made its stderr stream: a getter on process replaced by Node on first use.
    writeFileSync(hook, `let opened = false; const desc = Object.getOwnPropertyDescriptor(process, 'stderr'); Object.defineProperty(process, 'stderr', {configurable: true, get() { opened = true; return desc.get.call(process); }});
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(seenFile)}, JSON.stringify({opened})));\n`);
    const bin = path.resolve(import.meta.dirname, '../../../bin/run.js');
    const run = await execa(process.execPath, [bin, 'validate'], {reject: false, cwd: p.dir, env: {...p.env, NODE_OPTIONS: `--require ${hook}`}});
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('is valid');
    expect(JSON.parse(readFileSync(seenFile, 'utf8'))).toEqual({opened: false});
  });

  it('validate says the same as through oclif, valid or with warnings, in text and JSON', async () => {
    const p: Project = track(project(appAndSidecar('lean-validate')));
    const file = path.join(p.dir, 'sidecar.yaml');
    // A Kubernetes Pod as input: valid, with what it does not carry over said on stderr.
    const pod = path.join(p.dir, 'pod.yaml');
    writeFileSync(pod, 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  nodeSelector: {disk: ssd}\n  containers:\n    - name: web\n      image: nginx:1\n      command: [nginx]\n');
    for (const [lean, oclif] of [
      [['validate', '-f', file], ['validate', `-f${file}`]],
      [['validate', '--json', '-f', file], ['validate', '--json', `-f${file}`]],
      [['validate', '-f', pod], ['validate', `-f${pod}`]],
      [['validate', '--json', '-f', pod], ['validate', '--json', `-f${pod}`]],
    ]) {
      const a = await cli(p, lean);
      const b = await cli(p, oclif);
      expect(a.exitCode, `${lean.join(' ')}: ${a.all}`).toBe(0);
      expect(b.exitCode, oclif.join(' ')).toBe(0);
      expect(a.stdout, lean.join(' ')).toBe(b.stdout);
      expect(a.stderr, lean.join(' ')).toBe(b.stderr);
    }
  });

  it('fails with the same block and exit code as through oclif', async () => {
    const p: Project = track(project(appAndSidecar('lean-errors')));
    const file = path.join(p.dir, 'sidecar.yaml');
    const missing = path.join(p.dir, 'none', 'sidecar.yaml');
    // Two problems, at their lines: exit 3 with every problem found.
    const broken = path.join(p.dir, 'broken.yaml');
    writeFileSync(broken, 'version: 1\nname: Bad_Name\napp:\n  command: [node, x.js]\n  ports: ["nope"]\n');
    // `-fFILE` is a form only oclif reads: the same command through the other path.
    const pairs: [string[], string[]][] = [
      [['up', '--wait', '--timeout', '5', '-f', file], ['up', '--wait', '--timeout', '5', `-f${file}`]],
      [['up', '-d', '-f', missing], ['up', '-d', `-f${missing}`]],
      [['up', '-d', '--json', '-f', missing], ['up', '-d', '--json', `-f${missing}`]],
      [['down', '-f', missing], ['down', `-f${missing}`]],
      [['down', '--json', '-f', missing], ['down', '--json', `-f${missing}`]],
      [['down', '--timeout', '5x', '-f', file], ['down', '--timeout', '5x', `-f${file}`]],
      [['validate', '-f', missing], ['validate', `-f${missing}`]],
      [['validate', '--json', '-f', missing], ['validate', '--json', `-f${missing}`]],
      [['validate', '-f', broken], ['validate', `-f${broken}`]],
      [['validate', '--json', '-f', broken], ['validate', '--json', `-f${broken}`]],
    ];
    for (const [lean, oclif] of pairs) {
      const a = await cli(p, lean);
      const b = await cli(p, oclif);
      expect(a.exitCode, lean.join(' ')).toBe(b.exitCode);
      expect(a.exitCode, lean.join(' ')).not.toBe(0);
      expect(a.stderr, lean.join(' ')).toBe(b.stderr);
      expect(a.stdout, lean.join(' ')).toBe(b.stdout);
    }
  });
});
