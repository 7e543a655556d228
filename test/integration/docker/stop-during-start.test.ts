import Docker from 'dockerode';
import {afterEach, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, type Project} from '../cli/cli-harness.js';
import {Label} from '../../../src/runtime/docker/index.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Ctrl-C / SIGTERM of foreground `up` while the pod is still starting: before,
// listr2's SIGINT listener exited 127 and left the pod and every started
// container running until `sidecar down`, and SIGTERM reported the teardown
// ("cannot join network of a non running container") as a service failure.
const docker = new Docker();
const live: Project[] = [];

function starting(name: string): Project {
  const p = project(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 1s
sidecars:
  first:
    image: ${TEST_IMAGES.busybox}
    command: [sleep, "1000"]
    stopTimeout: 1s
  slow:
    image: ${TEST_IMAGES.busybox}
    command: [sh, -c, "echo slow is warming up; sleep 60; echo slow ready; exec sleep 1000"]
    health: {log: "^slow ready$", startTimeout: 120s}
    stopTimeout: 1s
`);
  p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  live.push(p);
  return p;
}

// The same with pods: pod a up, pod b (after a) still starting.
function startingPods(name: string): Project {
  const p = project(`version: 1
name: ${name}
pods:
  a:
    app:
      image: ${TEST_IMAGES.busybox}
      command: [sleep, "1000"]
      stopTimeout: 1s
  b:
    after: [a]
    app:
      image: ${TEST_IMAGES.busybox}
      command: [sleep, "1000"]
      stopTimeout: 1s
    sidecars:
      slow:
        image: ${TEST_IMAGES.busybox}
        command: [sh, -c, "echo slow is warming up; sleep 60; echo slow ready; exec sleep 1000"]
        health: {log: "^slow ready$", startTimeout: 120s}
        stopTimeout: 1s
`);
  p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  live.push(p);
  return p;
}

const containersOf = async (name: string): Promise<string[]> =>
  (await docker.listContainers({all: true, filters: {label: [`${Label.project}=${name}`]}})).map((c) => `${c.Names[0]} ${c.State}`);

describeDocker('stopping a Docker stack that is still starting', () => {
  beforeAll(() => ensureBuilt(), 120_000);
  afterEach(async () => {
    for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} of foreground \`up\` while starting: exit ${code}, no container left, no failure reported`, async () => {
      const name = `halfway-${signal.toLowerCase()}-${Date.now().toString(36)}`;
      const p = starting(name);
      const up = cli(p, ['up', '--runtime', 'docker']);
      await eventually(async () => JSON.parse((await cli(p, ['ps', '--json'])).stdout || '{}').services?.some((s: {name: string; state: string}) => s.name === 'slow' && s.state === 'starting'), 60_000, 'slow to start');
      up.kill(signal);
      const result = await up;
      expect(result.exitCode, result.all).toBe(code);
      expect(result.all).not.toMatch(/FAILED|SIDECAR_STACK_FAILED/);
      expect(await containersOf(name)).toEqual([]);
    }, 120_000);
  }

  it('SIGINT of foreground `up` of pods while pod b starts: exit 130, no container and no network left', async () => {
    const name = `halfway-pods-${Date.now().toString(36)}`;
    const p = startingPods(name);
    const up = cli(p, ['up', '--runtime', 'docker']);
    await eventually(async () => JSON.parse((await cli(p, ['ps', '--json'])).stdout || '{}').services?.some((s: {name: string; state: string}) => s.name === 'b/slow' && s.state === 'starting'), 60_000, 'b/slow to start');
    up.kill('SIGINT');
    const result = await up;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).not.toMatch(/FAILED|SIDECAR_STACK_FAILED/);
    expect(await containersOf(name)).toEqual([]);
    expect(await docker.listNetworks({filters: {label: [`${Label.project}=${name}`]}})).toEqual([]);
  }, 120_000);
});
