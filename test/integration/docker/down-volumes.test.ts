import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, project, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Compose's `down -v`: the project's named volumes go whether or not the stack
// still runs; an external volume never does.
const docker = new Docker();
const name = `downv-${Date.now().toString(36)}`;
let p: Project;

const volumeExists = (volume: string): Promise<boolean> =>
  docker
    .getVolume(volume)
    .inspect()
    .then(() => true)
    .catch(() => false);

describeDocker('down --volumes on a stopped Docker stack', () => {
  beforeAll(async () => {
    ensureBuilt();
    await docker.createVolume({Name: `${name}_ext`});
    p = project(`version: 1
name: ${name}
volumes:
  data: {}
  ext: {external: true}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sh, -c, 'echo kept > /data/note; sleep 300']
  volumes: ["data:/data", "ext:/ext"]
  stopTimeout: 1s
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  }, 120_000);
  afterAll(async () => {
    if (p) await cli(p, ['down', '--volumes', '--timeout', '1s']);
    await docker.getVolume(`${name}_ext`).remove().catch(() => undefined);
    await docker.getVolume(`${name}_data`).remove().catch(() => undefined);
  });

  it('removes the named volumes after a plain down, keeps the external one', async () => {
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const down = await cli(p, ['down', '--timeout', '1s']);
    expect(down.exitCode, down.all).toBe(0);
    expect(await volumeExists(`${name}_data`)).toBe(true);

    const downV = await cli(p, ['down', '--volumes']);
    expect(downV.exitCode, downV.all).toBe(0);
    expect(downV.stdout).toContain('removed 1 volume');
    expect(await volumeExists(`${name}_data`)).toBe(false);
    expect(await volumeExists(`${name}_ext`)).toBe(true);
  });
});
