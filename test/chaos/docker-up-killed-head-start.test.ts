import {existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import {execa} from 'execa';
import {afterEach, beforeAll, expect, it} from 'vitest';
import {loadManifest} from '../../src/manifest/load.js';
import {infraName, projectLabels} from '../../src/runtime/docker/naming.js';
import {cli, ensureBuilt, project, root, type Project} from '../integration/cli/cli-harness.js';
import {describeDocker, TEST_IMAGES, until} from '../integration/docker/docker-engine.js';
import {EngineRecorder} from '../integration/docker/engine-recorder.js';

// `up -d` creates the pod's infra itself before it hands the stack to the
// supervisor (src/runtime/docker/infra-head-start.ts). Killed in between
// (SIGKILL; Ctrl-C of `up -d` has no handler either), it handed nothing over:
// found by a review, the container stayed and `down` said "nothing is running".
// The record `up` writes before asking for the creation is what `down` and the
// next `up` now remove it by.
const docker = new Docker();
const SERVE = JSON.stringify(['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $$!; done']);
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// `up -d` through a recording proxy whose answer to the infra's creation is held
// (the engine makes it): killed with SIGKILL once the container exists.
// `via`: a symlink to the project directory, the path `up -d -f` is given.
async function killedUp(name: string, via?: string): Promise<{p: Project; recorder: EngineRecorder; infra: string}> {
  const p = project(['version: 1', `name: ${name}`, 'app:', `  image: ${TEST_IMAGES.busybox}`, `  command: ${SERVE}`, ''].join('\n'));
  if (via) symlinkSync(p.dir, via);
  const m = await loadManifest(path.join(via ?? p.dir, 'sidecar.yaml'));
  const infra = infraName(m, m.pods[0]!.name);
  const recorder = await EngineRecorder.start();
  cleanups.push(() => recorder.close());
  cleanups.push(() => docker.getContainer(infra).remove({force: true}).catch(() => undefined));
  recorder.holdAnswers((c) => c.method === 'POST' && c.path === '/containers/create' && new URLSearchParams(c.query).get('name') === infra, () => false, 20_000);
  p.env = {...p.env, SIDECAR_INFRA_IMAGE: TEST_IMAGES.pause, DOCKER_HOST: `unix://${recorder.socketPath}`};
  const up = execa(path.join(root, 'bin/run.js'), ['up', '-d', '--runtime', 'docker', ...(via ? ['-f', path.join(via, 'sidecar.yaml')] : [])], {reject: false, cwd: p.dir, env: p.env});
  await until('the infra made by the engine', () => docker.getContainer(infra).inspect().then(() => true, () => undefined), 30_000);
  up.kill('SIGKILL');
  await up;
  return {p, recorder, infra};
}

describeDocker('chaos: `up -d` killed between its creation of the infra and the hand-over', () => {
  it('`down` removes the infra it left, and says what it was', async () => {
    const {p, infra} = await killedUp(`killedup-${Date.now().toString(36)}`);
    expect(existsSync(path.join(p.dir, '.sidecar', 'infra-head-start.json'))).toBe(true);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toContain("an interrupted `up` had left the pod's infra container: removed it");
    await expect(docker.getContainer(infra).inspect()).rejects.toMatchObject({statusCode: 404});
    expect(existsSync(path.join(p.dir, '.sidecar', 'infra-head-start.json'))).toBe(false);
    // Nothing is left to say the second time.
    expect((await cli(p, ['down'])).stdout).toContain('nothing is running');
  });

  it('`up -d -f` through a symlink to the project, then `down` from the directory itself: the infra is still found and removed', async () => {
    const via = path.join(mkdtempSync(path.join(os.tmpdir(), 'sidecar-link-')), 'project');
    const {p, infra} = await killedUp(`killedup3-${Date.now().toString(36)}`, via);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toContain("an interrupted `up` had left the pod's infra container: removed it");
    await expect(docker.getContainer(infra).inspect()).rejects.toMatchObject({statusCode: 404});
  });

  it('the next `up` removes it first and brings the stack up with an infra of its own', async () => {
    const {p, infra} = await killedUp(`killedup2-${Date.now().toString(36)}`);
    const left = (await docker.getContainer(infra).inspect()).Id;
    // This time straight to the engine (the record names the proxy, still up).
    const {DOCKER_HOST: _proxy, ...direct} = p.env;
    const again: Project = {...p, env: direct};
    const up = await cli(again, ['up', '--wait', '--runtime', 'docker']);
    cleanups.push(() => cli(again, ['down']));
    expect(up.exitCode, up.all).toBe(0);
    const now = await docker.getContainer(infra).inspect();
    expect(now.Id).not.toBe(left);
    expect(now.State.Running).toBe(true);
    expect(existsSync(path.join(p.dir, '.sidecar', 'infra-head-start.json'))).toBe(false);
  });

  it('a record naming a container that is not this project\'s infra (forged, or the name reused since) removes nothing', async () => {
    const p = project(['version: 1', `name: forged-${Date.now().toString(36)}`, 'app:', `  image: ${TEST_IMAGES.busybox}`, `  command: ${SERVE}`, ''].join('\n'));
    const m = await loadManifest(path.join(p.dir, 'sidecar.yaml'));
    const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
    const record = path.join(p.dir, '.sidecar', 'infra-head-start.json');
    mkdirSync(path.join(p.dir, '.sidecar'), {mode: 0o700});
    // A container with this very project's labels, but no infra; then one of nobody, named by a record with no labels at all.
    const bystanders = [
      {labels: projectLabels(m), recorded: projectLabels(m)},
      {labels: {'sidecar.project': 'someone-else'}, recorded: {}},
    ];
    for (const {labels, recorded} of bystanders) {
      const bystander = await docker.createContainer({name: `bystander-${Date.now().toString(36)}`, Image: TEST_IMAGES.pause, Labels: labels});
      cleanups.push(() => bystander.remove({force: true}).catch(() => undefined));
      const name = (await bystander.inspect()).Name.replace(/^\//, '');
      writeFileSync(record, JSON.stringify({socketPath, name, labels: recorded, dir: m.dir}));
      const down = await cli(p, ['down']);
      expect(down.exitCode, down.all).toBe(0);
      expect(down.stdout).toContain('nothing is running');
      expect((await bystander.inspect()).Id).toBe(bystander.id);
      expect(existsSync(record)).toBe(false);
    }
  });
});
