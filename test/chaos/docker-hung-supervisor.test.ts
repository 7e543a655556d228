import Docker from 'dockerode';
import {afterEach, beforeAll, expect, it} from 'vitest';
import {ensureBuilt, eventually, project, type Project} from '../integration/cli/cli-harness.js';
import {Label} from '../../src/runtime/docker/index.js';
import {describeDocker, TEST_IMAGES} from '../integration/docker/docker-engine.js';
import {commandLine, isStopped, supervisorPid, timedCli} from './host-chaos-harness.js';

// Issue 9.3 under the Docker runtime: a SIGSTOPped supervisor must not hang the
// commands, and `down` kills it (pid + start time checked) then stops and removes
// its containers, within stopTimeout + a few seconds, as systemd escalates a
// stop that times out and as the kubelet cleans a pod whose runtime shim died.
const docker = new Docker();
const live: Array<{p: Project; pid?: number}> = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const {p, pid} of live.splice(0)) {
    if (pid) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Gone already.
      }
    }
    await timedCli(p, ['down', '--timeout', '1s']);
  }
});

const running = async (name: string): Promise<Docker.ContainerInfo[]> => docker.listContainers({filters: {label: [`${Label.project}=${name}`]}});

describeDocker('chaos: a SIGSTOPped supervisor (docker)', () => {
  it('ps returns within its deadline; down kills the supervisor and stops every container', async () => {
    const name = `frozend-${Date.now().toString(36)}`;
    const p = project(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 2s
sidecars:
  helper:
    image: ${TEST_IMAGES.busybox}
    command: [sleep, "1000"]
    stopTimeout: 2s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    const entry: {p: Project; pid?: number} = {p};
    live.push(entry);
    const up = await timedCli(p, ['up', '--wait', '--runtime', 'docker'], 120_000);
    expect(up.exitCode, up.all).toBe(0);
    const pid = supervisorPid(p);
    entry.pid = pid;
    // app + helper (+ the pod's infra container).
    expect((await running(name)).length).toBeGreaterThanOrEqual(2);
    process.kill(pid, 'SIGSTOP');
    await eventually(() => isStopped(pid), 5000, 'supervisor stopped');

    const ps = await timedCli(p, ['ps'], 60_000);
    expect(ps.timedOut, 'ps hung').toBe(false);
    expect(ps.exitCode, ps.all).toBe(5);
    expect(ps.all).toMatch(new RegExp(`supervisor \\(pid ${pid}\\) does not answer`));

    const down = await timedCli(p, ['down'], 90_000);
    console.log(`SIGSTOPped supervisor (docker): down -> exit ${down.exitCode} in ${down.ms}ms`);
    expect(down.timedOut, 'down hung').toBe(false);
    expect(down.exitCode, down.all).toBe(0);
    // hello deadline (5s) + stopTimeout (2s) + engine round trips, generous under load.
    expect(down.ms).toBeLessThan(45_000);
    expect(await running(name)).toEqual([]);
    expect(commandLine(pid), 'the stopped supervisor was killed').not.toContain('supervisor');
  }, 240_000);
});
