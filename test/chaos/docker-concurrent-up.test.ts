import Docker from 'dockerode';
import {afterEach, beforeAll, expect, it} from 'vitest';
import {Label} from '../../src/runtime/docker/index.js';
import {listProcesses} from '../../src/runtime/process/proc-table.js';
import {ensureBuilt, project, type Project} from '../integration/cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from '../integration/docker/docker-engine.js';
import {commandLine, timedCli} from './host-chaos-harness.js';

// Issue 9.5 under the Docker runtime, where a supervisor takes longer to start
// (engine round trips) and so leaves a wider window: five concurrent `up -d`
// must give one supervisor and one set of containers (one project per name,
// as Compose has), and one `down` stops it all.
const docker = new Docker();
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await timedCli(p, ['down', '--timeout', '1s']);
});

const supervisorsOf = (p: Project): number => listProcesses().filter((row) => commandLine(row.pid).includes(`${p.dir}/`) && commandLine(row.pid).includes('supervisor')).length;

describeDocker('chaos: concurrent up -d in one directory (docker)', () => {
  it('five at once give one supervisor and one container per service; one down removes them all', async () => {
    const name = `racingd-${Date.now().toString(36)}`;
    const p = project(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 1s
sidecars:
  helper:
    image: ${TEST_IMAGES.busybox}
    command: [sleep, "1000"]
    stopTimeout: 1s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    live.push(p);
    const ups = await Promise.all(Array.from({length: 5}, () => timedCli(p, ['up', '-d', '--runtime', 'docker'], 120_000)));
    for (const up of ups) {
      expect(up.timedOut).toBe(false);
      // Joined (0) or refused with a clear error: never a second stack.
      if (up.exitCode !== 0) expect(up.all).toMatch(/SIDECAR_ALREADY_RUNNING|already running/);
    }
    expect(ups.filter((u) => u.exitCode === 0).length).toBeGreaterThanOrEqual(1);
    const wait = await timedCli(p, ['up', '--wait', '--runtime', 'docker'], 120_000);
    expect(wait.exitCode, wait.all).toBe(0);
    // Give a second supervisor (if any) the time to create its own containers.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const containers = await docker.listContainers({all: true, filters: {label: [`${Label.project}=${name}`]}});
    const services = containers.map((c) => c.Labels[Label.service]).filter((s) => s !== undefined);
    console.log(`after 5 concurrent up -d (docker): ${supervisorsOf(p)} supervisor(s), containers ${containers.map((c) => c.Names.join(',')).join(' ')}, exit codes ${ups.map((u) => u.exitCode).join(',')}`);
    expect(supervisorsOf(p)).toBe(1);
    expect(services.filter((s) => s === 'app')).toHaveLength(1);
    expect(services.filter((s) => s === 'helper')).toHaveLength(1);

    const down = await timedCli(p, ['down'], 90_000);
    expect(down.exitCode, down.all).toBe(0);
    expect(await docker.listContainers({all: true, filters: {label: [`${Label.project}=${name}`]}})).toEqual([]);
    expect(supervisorsOf(p)).toBe(0);
  }, 300_000);
});
