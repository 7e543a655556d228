import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, project, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 8.5 audit: `up` on a running stack whose build context changed stopped
// the service's container first and built its image after, so a build that
// fails left the service gone ("failed"), with the old container's last log
// line and "check proxy's command and health check" as the fix. Compose builds
// before it recreates: a failing build changes nothing that runs, and the
// error is the build's.
const docker = new Docker();
let p: Project;
let name: string;

async function appContainer(): Promise<{Id: string; State: string} | undefined> {
  const [app] = await docker.listContainers({all: true, filters: {label: ['sidecar.service=app', `sidecar.project=${name}`]}});
  return app;
}

describeDocker('a build that fails on a running stack', () => {
  beforeAll(() => {
    ensureBuilt();
    p = project('');
    name = path.basename(p.dir).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    mkdirSync(path.join(p.dir, 'app'));
    writeFileSync(path.join(p.dir, 'app', 'Dockerfile'), `FROM ${TEST_IMAGES.busybox}\nCOPY msg /msg\n`);
    writeFileSync(path.join(p.dir, 'app', 'msg'), 'one');
    writeFileSync(
      path.join(p.dir, 'sidecar.yaml'),
      `version: 1\nname: ${name}\napp:\n  build: {context: ./app}\n  command: [sh, -c, "cat /msg; echo; exec sleep 1000"]\n  health: {log: "^one$", startTimeout: 30s}\n  stopTimeout: 1s\n`,
    );
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  });
  afterAll(async () => {
    if (!p) return;
    await cli(p, ['down']);
    await docker.getImage(`${name}-app:latest`).remove({force: true}).catch(() => {});
  });

  it('leaves the running container alone and reports the build, once', async () => {
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const before = await appContainer();
    expect(before?.State).toBe('running');

    appendFileSync(path.join(p.dir, 'app', 'Dockerfile'), 'NOT-AN-INSTRUCTION here\n');
    const again = await cli(p, ['up', '-d']);
    expect(again.exitCode, again.all).toBe(5);
    expect(again.stderr).toMatch(/building image \S+-app:latest for app failed: .*unknown instruction/i);
    expect(again.stderr).toContain('fix: fix the build');
    expect(again.stderr).not.toContain('last log line');
    expect(again.stderr.split('SIDECAR_STACK_FAILED').length - 1).toBe(1);

    // The same container still runs, and the stack says so.
    expect(await appContainer()).toMatchObject({Id: before!.Id, State: 'running'});
    const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: {name: string; state: string; health: string}[]};
    expect(ps.services[0]).toMatchObject({name: 'app', state: 'running', health: 'healthy'});
  }, 180_000);
});
