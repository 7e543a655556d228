import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {TopResult} from '../../../src/host/control/protocol.js';
import {cli, ensureBuilt, eventually, project, root, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 14.6 under Docker: `ps --watch` reads CPU and memory from the engine's
// own accounting (what `docker stats` shows), per container.
let p: Project;

describeDocker('ps --watch under Docker', () => {
  beforeAll(() => {
    ensureBuilt();
    p = project(`version: 1
name: watchd-${Date.now().toString(36)}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "3600"]
  stopTimeout: 1s
sidecars:
  busy:
    image: ${TEST_IMAGES.busybox}
    command: [sh, -c, "while :; do :; done"]
    stopTimeout: 1s
`);
  }, 120_000);
  afterAll(async () => {
    await cli(p, ['down', '--timeout', '2s']);
  }, 60_000);

  it('a busy container uses most of a core, a sleeping one none; both have memory', async () => {
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const watching = execa(process.execPath, [path.join(root, 'bin/run.js'), 'ps', '--watch', '--json', '--interval', '700ms'], {cwd: p.dir, env: p.env, reject: false, all: true, timeout: 90_000});
    let out = '';
    watching.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => out.split('\n').filter(Boolean).length >= 4, 60_000, 'four samples');
    watching.kill('SIGINT');
    expect((await watching).exitCode).toBe(0);
    const samples = out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as TopResult);
    const [first, last] = [samples[0]!, samples.at(-1)!];
    const share = (name: string): number => {
      const at = (s: TopResult) => s.usage[s.services.findIndex((x) => x.name === name)]!;
      return (at(last).cpuSeconds - at(first).cpuSeconds) / ((last.at - first.at) / 1000);
    };
    // How much of a core the loop gets depends on what else the machine runs: it
    // must use a measurable share, and far more than the idle app.
    expect(share('busy')).toBeGreaterThan(0.05);
    expect(share('busy')).toBeGreaterThan(5 * share('app'));
    expect(share('app')).toBeLessThan(0.1);
    for (const usage of last.usage) expect(usage!.memoryBytes).toBeGreaterThan(0);
  }, 120_000);
});
