import {spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {beforeAll, describe, expect, it} from 'vitest';
import {ProcessRuntime} from '../../../src/runtime/process/process-runtime.js';
import type {UnitIdentity} from '../../../src/runtime/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {waitFor} from '../conformance/suite.js';
import {processesWithMark} from '../../helpers/proc-scan.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const programs = path.resolve(here, '../../fixtures/programs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sidecar-sigkill-'));
const runner = path.join(tmp, 'runner.mjs');

beforeAll(async () => {
  // The runner imports TypeScript sources; bundle it into one plain ESM file.
  await build({entryPoints: [path.join(here, 'supervisor-runner.ts')], bundle: true, platform: 'node', format: 'esm', outfile: runner, logLevel: 'silent', banner: {js: "import {createRequire as __bannerRequire} from 'node:module'; const require = __bannerRequire(import.meta.url);"}});
});

// Starts a supervisor process for the stack, waits until it reports READY, returns it and the identities.
async function startSupervisor(mark: string) {
  const node = (program: string) => [process.execPath, path.join(programs, `${program}.js`)];
  const env = {SIDECAR_TEST_MARK: mark};
  const m = manifest({
    name: 'sigkill',
    dir: tmp,
    sidecars: [service('stubborn', 'sidecar', {command: node('term-ignorer'), env, stopTimeoutMs: 1000}), service('escaper', 'sidecar', {command: node('escaper'), env, stopTimeoutMs: 1000})],
    app: service('app', 'app', {command: node('forever'), env, stopTimeoutMs: 1000}),
  });
  const child = spawn(process.execPath, [runner, JSON.stringify(m)], {stdio: ['ignore', 'pipe', 'pipe']});
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const ready = await waitFor(async () => out.includes('\n'), 15_000);
  if (!ready) throw new Error(`supervisor did not come up:\n${err}`);
  const identities = JSON.parse(out.slice('READY '.length).trim()) as UnitIdentity[];
  return {child, identities, manifest: m};
}

const runIdOf = (identities: UnitIdentity[]): string => {
  const first = identities[0];
  if (first?.kind !== 'process' || first.runId === undefined) throw new Error('no run id recorded');
  return first.runId;
};

describe('after the supervisor itself is killed with SIGKILL (DESIGN 7)', () => {
  it('its units survive it, and reap with the recorded identities leaves nothing behind', async () => {
    const mark = `sk-${process.pid}-${Date.now()}`;
    const {child, identities, manifest: m} = await startSupervisor(mark);
    expect(identities).toHaveLength(3);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // app, stubborn + its child, escaper + its setsid grandchild (the children may still be starting under load).
    expect(await waitFor(async () => processesWithMark(mark).length === 5, 10_000)).toBe(true);
    const began = Date.now();
    await new ProcessRuntime().reap(m, identities);
    // Bounded by the stopTimeout (1s), not by waiting on the TERM-ignorer forever:
    // DESIGN's +1s, plus slack for a loaded 2-core CI machine (as the conformance reap test).
    expect(Date.now() - began).toBeLessThan(1000 + 4000);
    expect(processesWithMark(mark)).toEqual([]);
  });

  it('reap finds the stack by its marker even when the identities were lost', async () => {
    const mark = `sk-${process.pid}-${Date.now()}-lost`;
    const {child, identities, manifest: m} = await startSupervisor(mark);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await waitFor(async () => processesWithMark(mark).length === 5, 10_000)).toBe(true);
    // Identities lost, the run id kept (state.json records it apart from the identities).
    await new ProcessRuntime().reap(m, [], {runIds: [runIdOf(identities)]});
    expect(processesWithMark(mark)).toEqual([]);
  });
});
