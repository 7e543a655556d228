import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import type {Health} from '../../src/manifest/types.js';
import {DockerRuntime, Label} from '../../src/runtime/docker/index.js';
import {Supervisor} from '../../src/supervisor/supervisor.js';
import {manifest, service} from '../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES} from '../integration/docker/docker-engine.js';

// Issue 9.4 under the Docker runtime: its log lines reach the same LogProbe (RE2,
// whole lines), so a catastrophic pattern cannot block the supervisor's event loop.
const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// A case that must become ready gets 30 s (a loaded engine may need more than 6);
// the one that must not keeps 6 s, which its message names.
const logHealth = (pattern: string, startTimeoutMs: number): Health => ({check: {kind: 'log', pattern}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs});
const LONG_LINE = (end: string) => `head -c 100000 /dev/zero | tr '\\0' a; echo '${end}'; exec sleep 1000`;

async function startWith(pattern: string, end: string, startTimeoutMs = 6_000): Promise<{error: string | undefined; maxLagMs: number}> {
  const project = tempProject('scr');
  const m = manifest({
    ...project,
    app: service('app', 'app', {image: TEST_IMAGES.busybox, command: ['sh', '-c', LONG_LINE(end)], health: logHealth(pattern, startTimeoutMs), stopTimeoutMs: 2000}),
  });
  const runtime = new DockerRuntime();
  cleanups.push(async () => {
    await runtime.teardown(m, {removeVolumes: true});
    const left = await docker.listContainers({all: true, filters: {label: [`${Label.project}=${m.name}`]}});
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({force: true})));
  });
  // The event loop's worst delay while the stack starts: a stalled matcher shows here.
  let maxLagMs = 0;
  let last = Date.now();
  const ticker = setInterval(() => {
    maxLagMs = Math.max(maxLagMs, Date.now() - last - 50);
    last = Date.now();
  }, 50);
  const supervisor = new Supervisor({manifest: m, runtime});
  let error: string | undefined;
  try {
    await supervisor.start();
  } catch (thrown) {
    error = (thrown as Error).message;
  } finally {
    clearInterval(ticker);
    await supervisor.stop({timeoutMs: 2000});
  }
  return {error, maxLagMs};
}

describeDocker('chaos: ReDoS in a log probe (docker)', () => {
  it('(a+)+$ against 100k a\'s then "!": the event loop keeps turning, the probe fails at its startTimeout', async () => {
    const {error, maxLagMs} = await startWith('(a+)+$', '!');
    console.log(`docker: worst event-loop delay ${maxLagMs}ms while the probe ran`);
    expect(error).toMatch(/not ready after 6000ms: log \/\(a\+\)\+\$\/: no matching line yet/);
    // Generous: a backtracking matcher never returns; RE2 takes milliseconds.
    expect(maxLagMs).toBeLessThan(3000);
  }, 120_000);

  it('a line cut into pieces is matched whole: a+ready$ passes', async () => {
    const {error} = await startWith('a+ready$', 'ready', 30_000);
    expect(error).toBeUndefined();
  }, 120_000);
});
