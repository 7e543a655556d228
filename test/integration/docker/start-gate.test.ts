import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import {afterEach, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, type Project} from '../cli/cli-harness.js';
import {Label} from '../../../src/runtime/docker/index.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 13.5 (src/runtime/docker/start-gate.ts): a pod's containers are started
// together, each program behind its gate, and each program runs in its turn.
// What a user sees must be what the engine's own start gave: the image's
// entrypoint and command, the environment, the engine's init as PID 1, a
// program that cannot be run said as the engine says it, nothing run twice,
// nothing left behind.
const docker = new Docker();
const live: Project[] = [];

afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

function gated(yaml: string, env: Record<string, string> = {}): Project {
  const p = project(yaml);
  p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause, ...env};
  live.push(p);
  return p;
}

async function containersOf(name: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({all: true, filters: {label: [`${Label.project}=${name}`]}});
}

async function gateMount(name: string, service: string): Promise<boolean> {
  const [info] = (await containersOf(name)).filter((c) => c.Labels[Label.service] === service);
  if (!info) throw new Error(`no container for ${service}`);
  const inspected = await docker.getContainer(info.Id).inspect();
  return inspected.Mounts.some((mount) => mount.Destination === '/.sidecar-gate');
}

// The first sidecar gets ready only once the test puts /data/go in place: the
// ones after it wait, gated, meanwhile.
const HELD = `version: 1
name: NAME
volumes: {data: {}}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 1s
  volumes: ["data:/data"]
sidecars:
  first:
    image: ${TEST_IMAGES.busybox}
    command: [sh, -c, "while [ ! -f /data/go ]; do sleep 0.05; done; echo go; exec sleep 1000"]
    health: {log: "^go$", startTimeout: 60s}
    stopTimeout: 1s
    volumes: ["data:/data"]
  second:
    image: ${TEST_IMAGES.busybox}
    command: [sh, -c, "echo ran >> /data/ran; exec sleep 1000"]
    stopTimeout: 1s
    volumes: ["data:/data"]
`;

describeDocker('the start gate (issue 13.5)', () => {
  beforeAll(() => ensureBuilt());

  it("runs what the engine would have run: the image's entrypoint and command, the environment, under the engine's init", async () => {
    const name = `gate-run-${Date.now().toString(36)}`;
    const p = gated(`version: 1
name: ${name}
init:
  plain:
    build: {context: ./img}
  args:
    build: {context: ./img}
    command: [given]
app:
  image: ${TEST_IMAGES.busybox}
  env: {FOO: bar}
  command: [sh, -c, "echo \\"foo=$$FOO pid1=$$(tr '\\\\0' ' ' < /proc/1/cmdline)\\"; exec sleep 1000"]
  stopTimeout: 1s
`);
    mkdirSync(path.join(p.dir, 'img'));
    writeFileSync(path.join(p.dir, 'img', 'Dockerfile'), `FROM ${TEST_IMAGES.busybox}\nENTRYPOINT ["echo", "ep"]\nCMD ["cmd"]\n`);
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    // Gated indeed (else this would pin nothing of the gate).
    expect(await gateMount(name, 'app')).toBe(true);
    expect((await cli(p, ['logs', 'plain'])).stdout).toMatch(/\bep cmd$/m);
    expect((await cli(p, ['logs', 'args'])).stdout).toMatch(/\bep given$/m);
    const app = await eventually(async () => {
      const out = (await cli(p, ['logs', 'app'])).stdout;
      return /foo=/.test(out) && out;
    });
    expect(app).toMatch(/foo=bar pid1=\/sbin\/docker-init -- \/\.sidecar-gate\/gate /);
  }, 180_000);

  it('a program that cannot be run fails the start as the engine says it, and leaves nothing behind', async () => {
    const name = `gate-missing-${Date.now().toString(36)}`;
    const p = gated(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 1s
sidecars:
  typo:
    image: ${TEST_IMAGES.busybox}
    command: [no-such-program, --flag]
    stopTimeout: 1s
  path:
    image: ${TEST_IMAGES.busybox}
    command: [/nowhere/program]
    stopTimeout: 1s
`);
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(5);
    expect(up.all).toContain('starting typo failed: exec: "no-such-program": executable file not found in $PATH');
    expect(up.all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    await eventually(async () => (await containersOf(name)).length === 0, 20_000, 'no container left');
    expect(existsSync(path.join(p.dir, '.sidecar', 'gates'))).toBe(false);
    // A path that is not there says so.
    writeFileSync(path.join(p.dir, 'sidecar.yaml'), readFileSync(path.join(p.dir, 'sidecar.yaml'), 'utf8').replace('command: [no-such-program, --flag]', 'command: [sleep, "1000"]'));
    const again = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(again.exitCode, again.all).toBe(5);
    expect(again.all).toContain('starting path failed: exec: "/nowhere/program": no such file or directory');
  }, 180_000);

  it('a container killed while its program waited for its turn is made again, and its program runs once', async () => {
    const name = `gate-killed-${Date.now().toString(36)}`;
    const p = gated(HELD.replace('NAME', name));
    const up = cli(p, ['up', '--wait', '--runtime', 'docker']);
    // `second`'s container runs (its gate does), its program has not: kill it there.
    const held = await eventually(async () => (await containersOf(name)).find((c) => c.Labels[Label.service] === 'second' && c.State === 'running'), 60_000, 'second started, gated');
    await docker.getContainer(held.Id).kill({signal: 'SIGKILL'});
    const first = await eventually(async () => (await containersOf(name)).find((c) => c.Labels[Label.service] === 'first' && c.State === 'running'), 30_000, 'first running');
    const go = await docker.getContainer(first.Id).exec({Cmd: ['touch', '/data/go']});
    await go.start({});
    const done = await up;
    expect(done.exitCode, done.all).toBe(0);
    const second = (await containersOf(name)).find((c) => c.Labels[Label.service] === 'second' && c.State === 'running');
    expect(second?.Id).toBeDefined();
    expect(second!.Id).not.toBe(held.Id);
    const ran = await cli(p, ['exec', 'second', 'cat', '/data/ran']);
    expect(ran.stdout.trim()).toBe('ran');
  }, 180_000);

  it('down while programs wait for their turn: every gated container goes, and the gates with them', async () => {
    const name = `gate-down-${Date.now().toString(36)}`;
    const p = gated(HELD.replace('NAME', name));
    const up = cli(p, ['up', '--wait', '--runtime', 'docker']);
    await eventually(async () => (await containersOf(name)).some((c) => c.Labels[Label.service] === 'second' && c.State === 'running'), 60_000, 'second started, gated');
    expect(existsSync(path.join(p.dir, '.sidecar', 'gates'))).toBe(true);
    const down = await cli(p, ['down', '--timeout', '1s']);
    expect(down.exitCode, down.all).toBe(0);
    const ended = await up;
    expect(ended.exitCode, ended.all).not.toBe(0);
    expect(await containersOf(name)).toEqual([]);
    expect(existsSync(path.join(p.dir, '.sidecar', 'gates'))).toBe(false);
  }, 180_000);

  it('never follows a link in .sidecar/gates: refused before anything is written', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'gate-outside-'));
    writeFileSync(path.join(outside, 'keep'), 'keep');
    const name = `gate-link-${Date.now().toString(36)}`;
    const p = gated(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 1s
`);
    mkdirSync(path.join(p.dir, '.sidecar'), {mode: 0o700});
    for (const link of ['gates', 'gates/1']) {
      if (link === 'gates/1') mkdirSync(path.join(p.dir, '.sidecar', 'gates'), {mode: 0o700});
      symlinkSync(outside, path.join(p.dir, '.sidecar', link));
      const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
      expect(up.exitCode, up.all).toBe(2);
      expect(up.all).toContain(`.sidecar/${link} is a symlink`);
      expect(readdirSync(outside)).toEqual(['keep']);
      rmSync(path.join(p.dir, '.sidecar', link));
    }
    expect(await containersOf(name)).toEqual([]);
    rmSync(outside, {recursive: true, force: true});
  }, 120_000);

  it('SIDECAR_DOCKER_GATE=0: started in turn by the engine, no gate in the container', async () => {
    const name = `gate-off-${Date.now().toString(36)}`;
    const p = gated(
      `version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 1s
`,
      {SIDECAR_DOCKER_GATE: '0'},
    );
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    expect(await gateMount(name, 'app')).toBe(false);
    expect(existsSync(path.join(p.dir, '.sidecar', 'gates'))).toBe(false);
  }, 120_000);
});
