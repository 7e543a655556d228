import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, project, type Project} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES, until} from './docker-engine.js';

// Issue 8.5: `--build` was honoured only by foreground `up`; `up -d --build`,
// `up --wait --build` and `run` ignored it, and a changed context never
// rebuilt. The image's LastTagTime moves on every build that tags it (even from
// the build cache), which is how a forced build shows.
const docker = new Docker();
let p: Project;
let image: string;

async function lastTagTime(): Promise<string> {
  return ((await docker.getImage(image).inspect()) as unknown as {Metadata: {LastTagTime: string}}).Metadata.LastTagTime;
}

async function ok(args: string[]): Promise<string> {
  const result = await cli(p, args);
  expect(result.exitCode, `${args.join(' ')}:\n${result.all}`).toBe(0);
  return result.all ?? '';
}

async function appImageId(): Promise<string> {
  const [app] = await docker.listContainers({filters: {label: ['sidecar.service=app', `sidecar.project=${path.basename(p.dir).toLowerCase().replace(/[^a-z0-9-]/g, '-')}`]}});
  return app!.ImageID;
}

describeDocker('--build on every command that starts a stack', () => {
  beforeAll(() => {
    ensureBuilt();
    p = project('');
    const name = path.basename(p.dir).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    image = `${name}-app:latest`;
    mkdirSync(path.join(p.dir, 'app'));
    writeFileSync(path.join(p.dir, 'app', 'Dockerfile'), `FROM ${TEST_IMAGES.busybox}\nCOPY msg /msg\n`);
    writeFileSync(path.join(p.dir, 'app', 'msg'), 'one');
    writeFileSync(
      path.join(p.dir, 'sidecar.yaml'),
      `version: 1\nname: ${name}\napp:\n  build: {context: ./app}\n  command: [sh, -c, "cat /msg; echo; exec sleep 1000"]\n  health: {log: "^(one|two|three)$", startTimeout: 30s}\n  stopTimeout: 1s\n`,
    );
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
  });
  afterAll(async () => {
    if (!p) return;
    await cli(p, ['down']);
    await docker.getImage(image).remove({force: true}).catch(() => {});
  });

  it('up --wait builds once, then reuses the image until --build (detached, --wait and run) or a changed context', async () => {
    await ok(['up', '--wait', '--runtime', 'docker']);
    await ok(['down']);
    const built = await lastTagTime();
    await ok(['up', '--wait', '--runtime', 'docker']);
    await ok(['down']);
    expect(await lastTagTime()).toBe(built);

    // `up -d` returns while the detached supervisor builds and starts.
    await ok(['up', '-d', '--build', '--runtime', 'docker']);
    const afterDetached = await until('the detached supervisor rebuilt the image', async () => {
      const time = await lastTagTime().catch(() => built);
      return time !== built ? time : undefined;
    }, 60_000);
    await until('the detached stack is up', async () => /app\s+running/.test(await ok(['ps'])) || undefined, 60_000);
    await ok(['down']);

    await ok(['up', '--wait', '--build', '--runtime', 'docker']);
    const afterWait = await lastTagTime();
    expect(afterWait).not.toBe(afterDetached);
    await ok(['down']);

    await ok(['run', '--build', '--runtime', 'docker', '--', 'true']);
    expect(await lastTagTime()).not.toBe(afterWait);
  }, 240_000);

  it('a changed context rebuilds without --build, and `up` on the running stack recreates the app from the new image', async () => {
    writeFileSync(path.join(p.dir, 'app', 'msg'), 'two');
    await ok(['up', '--wait', '--runtime', 'docker']);
    expect(await ok(['logs', 'app'])).toMatch(/two/);
    const before = await appImageId();
    writeFileSync(path.join(p.dir, 'app', 'msg'), 'three');
    expect(await ok(['up'])).toMatch(/recreated app/);
    const after = await appImageId();
    expect(after).not.toBe(before);
    expect((await docker.getImage(image).inspect()).Id).toBe(after);
    expect(await ok(['logs', 'app'])).toMatch(/three/);
    await ok(['down']);
  }, 240_000);
});
