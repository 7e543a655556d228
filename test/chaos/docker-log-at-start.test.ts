import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import type {Health} from '../../src/manifest/types.js';
import {DockerRuntime, Label} from '../../src/runtime/docker/index.js';
import {Supervisor} from '../../src/supervisor/supervisor.js';
import {manifest, service} from '../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES} from '../integration/docker/docker-engine.js';

// Issue 9.11: `echo ready; exec sleep 1000` under a log probe failed 5 of 5:
// the line came out while start() was still awaiting the engine, before the
// probe subscribed. testcontainers' log wait strategy attaches before start too.
const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const logHealth = (pattern: string): Health => ({check: {kind: 'log', pattern}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 20_000});

describeDocker('chaos: a log line printed at the very start (docker)', () => {
  it('is seen by the log probe, 5 of 5 starts', async () => {
    const project = tempProject('scl');
    const m = manifest({
      ...project,
      sidecars: [service('early', 'sidecar', {image: TEST_IMAGES.busybox, command: ['sh', '-c', 'echo ready; exec sleep 1000'], health: logHealth('^ready$'), stopTimeoutMs: 2000})],
      app: service('app', 'app', {image: TEST_IMAGES.busybox, command: ['sh', '-c', 'echo ready; exec sleep 1000'], health: logHealth('^ready$'), stopTimeoutMs: 2000}),
    });
    const runtime = new DockerRuntime();
    cleanups.push(async () => {
      await runtime.teardown(m, {removeVolumes: true});
      const left = await docker.listContainers({all: true, filters: {label: [`${Label.project}=${m.name}`]}});
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({force: true})));
    });
    let ready = 0;
    const failures: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const supervisor = new Supervisor({manifest: m, runtime});
      try {
        await supervisor.start();
        ready++;
      } catch (error) {
        failures.push((error as Error).message);
      }
      await supervisor.stop({timeoutMs: 2000});
    }
    expect(failures).toEqual([]);
    expect(ready).toBe(5);
  }, 300_000);
});
