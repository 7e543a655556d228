import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
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

  it('a program that cannot be run, or a script with no #! line, goes as it went without the gate', async () => {
    const manifest = (name: string): string => `version: 1
name: ${name}
init:
  script:
    build: {context: ./img}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 1s
sidecars:
  typo:
    image: ${TEST_IMAGES.busybox}
    command: [no-such-program, --flag]
    stopTimeout: 1s
`;
    const outcomes: Array<{up: number; script: string; typo: string}> = [];
    for (const gate of ['1', '0']) {
      const name = `gate-missing-${gate}-${Date.now().toString(36)}`;
      const p = gated(manifest(name), {SIDECAR_DOCKER_GATE: gate});
      mkdirSync(path.join(p.dir, 'img'));
      // No #! line: the engine's init ran it with execvp, which hands it to /bin/sh.
      writeFileSync(path.join(p.dir, 'img', 'job.sh'), 'echo "script ran"\n', {mode: 0o755});
      writeFileSync(path.join(p.dir, 'img', 'Dockerfile'), `FROM ${TEST_IMAGES.busybox}\nCOPY job.sh /job.sh\nRUN chmod 755 /job.sh\nCMD ["/job.sh"]\n`);
      const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
      expect(up.all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(await gateMount(name, 'app')).toBe(gate === '1');
      const typo = await eventually(async () => {
        const out = (await cli(p, ['logs', 'typo'])).stdout;
        return /exec no-such-program failed: No such file or directory/.test(out) && out;
      }, 20_000, `typo's line (gate ${gate})`);
      outcomes.push({up: up.exitCode ?? -1, script: (await cli(p, ['logs', 'script'])).stdout.trim(), typo});
    }
    const [on, off] = outcomes;
    expect(on!.up).toBe(off!.up);
    expect(on!.script).toMatch(/script ran$/);
    expect(off!.script).toMatch(/script ran$/);
  }, 240_000);

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
    const root = readFileSync(path.join(p.dir, '.sidecar', 'gates-dir'), 'utf8').trim();
    expect(existsSync(root)).toBe(true);
    const down = await cli(p, ['down', '--timeout', '1s']);
    expect(down.exitCode, down.all).toBe(0);
    const ended = await up;
    expect(ended.exitCode, ended.all).not.toBe(0);
    expect(await containersOf(name)).toEqual([]);
    expect(existsSync(root)).toBe(false);
  }, 180_000);

  it('keeps its gates outside the project, in a private directory, noted in .sidecar/gates-dir and removed with the stack', async () => {
    const name = `gate-where-${Date.now().toString(36)}`;
    const p = gated(HELD.replace('NAME', name));
    const up = cli(p, ['up', '--wait', '--runtime', 'docker']);
    await eventually(async () => (await containersOf(name)).some((c) => c.Labels[Label.service] === 'second' && c.State === 'running'), 60_000, 'second started, gated');
    const root = readFileSync(path.join(p.dir, '.sidecar', 'gates-dir'), 'utf8').trim();
    expect(root.startsWith(p.dir)).toBe(false);
    expect(path.basename(root)).toMatch(/^sidecar-gates-/);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(readdirSync(root).length).toBeGreaterThan(1);
    expect(existsSync(path.join(p.dir, '.sidecar', 'gates'))).toBe(false);
    const down = await cli(p, ['down', '--timeout', '1s']);
    expect(down.exitCode, down.all).toBe(0);
    await up;
    expect(existsSync(root)).toBe(false);
    expect(existsSync(path.join(p.dir, '.sidecar', 'gates-dir'))).toBe(false);
  }, 120_000);

  it('the supervisor killed while programs wait for their turn: down removes every container and the gates it noted', async () => {
    const name = `gate-killed-supervisor-${Date.now().toString(36)}`;
    const p = gated(HELD.replace('NAME', name));
    const up = cli(p, ['up', '--wait', '--runtime', 'docker']);
    const gatedRunning = async () => (await containersOf(name)).filter((c) => c.State === 'running' && ['second', 'app'].includes(c.Labels[Label.service] ?? '')).length === 2;
    await eventually(gatedRunning, 60_000, 'second and app started, gated');
    const root = readFileSync(path.join(p.dir, '.sidecar', 'gates-dir'), 'utf8').trim();
    const {pid} = JSON.parse(readFileSync(path.join(p.dir, '.sidecar', 'supervisor.json'), 'utf8')) as {pid: number};
    process.kill(pid, 'SIGKILL');
    await up;
    expect(existsSync(root)).toBe(true);
    const down = await cli(p, ['down', '--timeout', '1s']);
    expect(down.exitCode, down.all).toBe(0);
    // Counted by their labels: the gated two are in no record of the supervisor (they were counted as pods).
    expect(down.stdout).toContain('stopped 4 leftover containers (3 services and the pod)');
    expect(await containersOf(name)).toEqual([]);
    expect(existsSync(root)).toBe(false);
    expect(existsSync(path.join(p.dir, '.sidecar', 'gates-dir'))).toBe(false);
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
    expect(existsSync(path.join(p.dir, '.sidecar', 'gates-dir'))).toBe(false);
  }, 120_000);
});
