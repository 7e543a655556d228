import Docker from 'dockerode';
import {afterEach, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, type Project} from '../integration/cli/cli-harness.js';
import {Label} from '../../src/runtime/docker/index.js';
import {describeDocker, TEST_IMAGES} from '../integration/docker/docker-engine.js';

// The attack (a trial of the start gate, issue 13.5): a sidecar that mounts the
// project directory, as dev stacks often do, opened every FIFO it found there.
// The gates were in .sidecar/gates/ then, and opening a gate's FIFO is what lets
// its program run: the app ran before the sidecar it must wait for was ready,
// then, its gate no longer answering the supervisor, once more 30 s later. The
// gates now live in a private directory outside the project.
const docker = new Docker();
const live: Project[] = [];

afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

describeDocker('a container that mounts the project opens every FIFO it can find', () => {
  beforeAll(() => ensureBuilt());

  it('no program runs out of turn, and none twice', async () => {
    const name = `gate-attack-${Date.now().toString(36)}`;
    const p = project(`version: 1
name: ${name}
volumes: {data: {}}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sh, -c, "echo app >> /data/ran; exec sleep 1000"]
  stopTimeout: 1s
  volumes: ["data:/data"]
sidecars:
  evil:
    image: ${TEST_IMAGES.busybox}
    command: [sh, -c, "while :; do for f in $$(find /proj -type p 2>/dev/null); do (timeout 1 cat $$f > /dev/null &); done; sleep 0.2; done"]
    stopTimeout: 1s
    volumes: ["./:/proj"]
  held:
    image: ${TEST_IMAGES.busybox}
    command: [sh, -c, "while [ ! -f /data/go ]; do sleep 0.05; done; echo go; exec sleep 1000"]
    health: {log: "^go$", startTimeout: 60s}
    stopTimeout: 1s
    volumes: ["data:/data"]
`);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    live.push(p);
    const up = cli(p, ['up', '--wait', '--runtime', 'docker']);
    const running = async (service: string) => (await docker.listContainers({filters: {label: [`${Label.project}=${name}`, `${Label.service}=${service}`]}}))[0];
    // The app's container runs, gated, while `held` waits; `evil` has had time to look.
    await eventually(async () => (await running('app')) && (await running('held')), 60_000, 'app gated, held running');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const held = (await running('held'))!;
    const early = await docker.getContainer(held.Id).exec({Cmd: ['sh', '-c', 'cat /data/ran 2>/dev/null; true'], AttachStdout: true, AttachStderr: true});
    const stream = await early.start({});
    const out = await new Promise<string>((resolve) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      stream.on('end', () => resolve(text));
    });
    expect(out, 'the app ran before held was ready').not.toContain('app');
    const go = await docker.getContainer(held.Id).exec({Cmd: ['touch', '/data/go']});
    await go.start({});
    const done = await up;
    expect(done.exitCode, done.all).toBe(0);
    const ran = await cli(p, ['exec', 'app', 'cat', '/data/ran']);
    expect(ran.stdout.trim()).toBe('app');
  }, 180_000);
});
