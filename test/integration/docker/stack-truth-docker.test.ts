import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, readJson, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 8.12 under the Docker runtime: ps and down say what is true after the
// supervisor was SIGKILLed (survivors found by the project's labels and the
// container ids state.json recorded) and after down (the runtime it ran with).
const docker = new Docker();
let p: Project;
const name = `truthd-${Date.now().toString(36)}`;

interface PsJson {
  runtime: string;
  supervisor: unknown;
  services: Array<{name: string; state: string; containerId: string | null}>;
}

async function ps(): Promise<PsJson> {
  const result = await cli(p, ['ps', '--json']);
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as PsJson;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeDocker('ps and down tell the truth under Docker', () => {
  beforeAll(() => {
    ensureBuilt();
    p = project(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "300"]
  stopTimeout: 1s
sidecars:
  one:
    image: ${TEST_IMAGES.busybox}
    command: [sleep, "300"]
    stopTimeout: 1s
  two:
    image: ${TEST_IMAGES.busybox}
    command: [sleep, "300"]
    stopTimeout: 1s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  }, 120_000);
  afterAll(async () => {
    if (p) await cli(p, ['down', '--volumes', '--timeout', '1s']);
  });

  it('after a SIGKILLed supervisor: ps shows the containers running with their ids; down counts containers; then ps keeps runtime docker', async () => {
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const before = Object.fromEntries((await ps()).services.map((s) => [s.name, s.containerId]));
    const {pid} = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json'));
    process.kill(pid, 'SIGKILL');
    await eventually(() => !alive(pid), 10_000, 'supervisor gone');

    const orphaned = await ps();
    expect(orphaned.supervisor).toBeNull();
    expect(orphaned.runtime).toBe('docker');
    for (const s of orphaned.services) expect(s, s.name).toMatchObject({state: 'running', containerId: before[s.name]});
    const table = await cli(p, ['ps']);
    expect(table.stdout).toContain('3 service(s) left running');

    const down = await cli(p, ['down', '--timeout', '1s']);
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toContain('stopped 4 leftover containers (3 services and the pod)');
    const left = await docker.listContainers({all: true, filters: {label: [`sidecar.project=${name}`]}});
    expect(left).toEqual([]);

    const after = await ps();
    expect(after.runtime).toBe('docker');
    for (const s of after.services) expect(s, s.name).toMatchObject({state: 'exited', containerId: null});
    expect((await cli(p, ['ps'])).stdout).toContain('docker');
  });
});
