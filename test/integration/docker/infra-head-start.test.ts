import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import {cli, ensureBuilt, project, type Project} from '../cli/cli-harness.js';
import {describeDocker, engine, tempProject, TEST_IMAGES, until} from './docker-engine.js';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import {Stack} from '../../../src/supervisor/stack.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import type {Manifest} from '../../../src/manifest/types.js';
import {EngineRecorder, type RecordedCall} from './engine-recorder.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {infraName, projectLabels} from '../../../src/runtime/docker/naming.js';

// Issue 13.2: `up -d`/`up --wait` create the pod's infra container and ask the
// engine to start it before the detached supervisor is up; the supervisor
// starts it too (answered "already started" once the first start is done) and
// keeps it (src/runtime/docker/infra-head-start.ts). Read from a recording
// proxy in front of the real engine and from the engine itself.
const docker = new Docker();
const SERVE = JSON.stringify(['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $$!; done']);
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function stack(name: string, extra: string[] = []): Project {
  ensureBuilt();
  const p = project(['version: 1', `name: ${name}`, 'app:', `  image: ${TEST_IMAGES.busybox}`, `  command: ${SERVE}`, ...extra, 'sidecars:', '  proxy:', `    image: ${TEST_IMAGES.busybox}`, `    command: ${SERVE}`, ''].join('\n'));
  p.env = {...p.env, SIDECAR_INFRA_IMAGE: TEST_IMAGES.pause};
  cleanups.push(() => cli(p, ['down', '--volumes']));
  return p;
}

const headStartLine = (p: Project): string | undefined => /the pod's infra container ([0-9a-f]{12}) was created by `up`/.exec(readFileSync(path.join(p.dir, '.sidecar', 'supervisor.log'), 'utf8'))?.[1];

async function projectContainers(p: Project): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({all: true, filters: {label: [`sidecar.project=${readProjectName(p)}`]}});
}
const readProjectName = (p: Project): string => /^name: (.+)$/m.exec(readFileSync(path.join(p.dir, 'sidecar.yaml'), 'utf8'))![1]!;
const isInfra = (c: Docker.ContainerInfo): boolean => c.Labels['sidecar.role'] === 'infra';
// `up` makes the head start only when the engine answers the creation within 1 s
// (else it leaves the infra to the supervisor, silently): 30 s for the tests that
// need one, so a loaded CI engine's slow answer does not turn it off.
const SLOW_ENGINE = {SIDECAR_HEAD_START_CREATE_MS: '30000'};

describeDocker('the pod\'s infra started by `up` itself', () => {
  it('up --wait creates the infra before the supervisor subscribes to the engine, and the supervisor keeps that very container', async () => {
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    const p = stack('head-start');
    p.env = {...p.env, ...SLOW_ENGINE, DOCKER_HOST: `unix://${recorder.socketPath}`};
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);

    const short = headStartLine(p);
    expect(short, 'the supervisor log names the infra `up` created').toBeDefined();
    const infra = (await projectContainers(p)).filter(isInfra);
    expect(infra).toHaveLength(1);
    expect(infra[0]!.Id.startsWith(short!)).toBe(true);
    expect(infra[0]!.State).toBe('running');
    // Handed over: the record `up` wrote before the creation is gone.
    expect(existsSync(path.join(p.dir, '.sidecar', 'infra-head-start.json'))).toBe(false);

    const calls = recorder.calls;
    const infraCreates = calls.filter((c) => c.method === 'POST' && c.path === '/containers/create' && new URLSearchParams(c.query).get('name') === infra[0]!.Names[0]!.slice(1));
    expect(infraCreates, 'one creation of the infra').toHaveLength(1);
    const subscription = calls.find((c) => c.method === 'GET' && c.path === '/events')!;
    expect(subscription).toBeDefined();
    // The CLI's creation came before the supervisor's first call of its stack.
    expect(infraCreates[0]!.asked).toBeLessThan(subscription.asked);
    // Started twice (the CLI's ask, then the supervisor's), and no unit started before both were answered.
    const isStart = (c: RecordedCall, id: string): boolean => c.method === 'POST' && c.path === `/containers/${id}/start`;
    const infraStarts = calls.filter((c) => isStart(c, infra[0]!.Id));
    expect(infraStarts).toHaveLength(2);
    const unitStarts = calls.filter((c) => c.method === 'POST' && c.path.endsWith('/start') && !infraStarts.includes(c));
    expect(unitStarts).toHaveLength(2);
    for (const start of unitStarts) for (const infraStart of infraStarts) expect(start.asked).toBeGreaterThan(infraStart.answered!);

    const down = await cli(p, ['down', '--volumes']);
    expect(down.exitCode, down.all).toBe(0);
    expect(await projectContainers(p)).toEqual([]);
  });

  it('leaves the infra to the supervisor when its name is taken: the stack comes up as before, without a head start', async () => {
    const p = stack('head-start-taken');
    const m = await loadManifest(path.join(p.dir, 'sidecar.yaml'));
    // A stopped container already holding the infra's name (left by an engine or by hand).
    const taken = await docker.createContainer({name: infraName(m, m.pods[0]!.name), Image: TEST_IMAGES.pause});
    cleanups.push(() => taken.remove({force: true}).catch(() => undefined));

    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    expect(headStartLine(p)).toBeUndefined();
    // Nothing was made by `up`: no record of it is left for `down`.
    expect(existsSync(path.join(p.dir, '.sidecar', 'infra-head-start.json'))).toBe(false);
    const infra = (await projectContainers(p)).filter(isInfra);
    expect(infra).toHaveLength(1);
    expect(infra[0]!.Id).not.toBe(taken.id);
    expect(infra[0]!.State).toBe('running');
  });

  it('removes the infra it made when the supervisor dies before taking the stack over', async () => {
    const p = stack('head-start-dies');
    // The supervisor's Node exits at once (a --require hook in its process only).
    const hook = path.join(p.dir, 'die.cjs');
    writeFileSync(hook, "if (process.argv[1] && process.argv[1].endsWith('supervisor.js')) process.exit(1);\n");
    const up = await cli({...p, env: {...p.env, NODE_OPTIONS: `--require ${hook}`}}, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(5);
    expect(up.all).toContain('the supervisor exited with code 1');
    expect(await projectContainers(p)).toEqual([]);
  });

  // Probe ports: only on the system socket, where the supervisor reaches the infra's address as well (no published variant).
  const systemSocket = engine.ok && engine.host === 'unix:///var/run/docker.sock' && !process.env.DOCKER_HOST;
  it.runIf(systemSocket)('on the system socket, a pod with a probe port gets its infra from `up` too, and its probe passes through that infra', async () => {
    const p = stack('head-start-probe', ['  health: {tcp: {port: 8080}, interval: 1s}']);
    p.env = {...p.env, ...SLOW_ENGINE};
    // The app listens (busybox httpd); its probe reaches it at the infra's address.
    const yaml = readFileSync(path.join(p.dir, 'sidecar.yaml'), 'utf8').replace(/^ {2}command: .*$/m, '  command: [httpd, -f, -p, "8080"]');
    writeFileSync(path.join(p.dir, 'sidecar.yaml'), yaml);
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const short = headStartLine(p);
    expect(short).toBeDefined();
    const [infra] = (await projectContainers(p)).filter(isInfra);
    expect(infra!.Id.startsWith(short!)).toBe(true);
    // Not published: the supervisor kept the unpublished variant `up` made.
    expect(infra!.Ports).toEqual([]);
    const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: Array<{name: string; health: string}>};
    expect(ps.services.find((s) => s.name === 'app')).toMatchObject({health: 'healthy'});
  });

  // An in-process stack whose supervisor looks the infra's name up (not found) and
  // is answered only once a container with `labels` took that name behind its back.
  async function nameTakenAfterLookUp(prefix: string, labels: (m: Manifest) => Record<string, string>): Promise<{stack: Stack; started: Promise<void>; taken: Docker.Container; infra: string}> {
    const recorder = await EngineRecorder.start();
    cleanups.push(() => recorder.close());
    const {dir, name} = tempProject(prefix);
    const app = service('app', 'app', {image: TEST_IMAGES.busybox, command: JSON.parse(SERVE.replaceAll('$$', '$')) as string[], stopTimeoutMs: 2000});
    const m = manifest({name, dir, sidecars: [], app});
    const infra = infraName(m, m.pods[0]!.name);
    const gate: {taken?: Docker.Container} = {};
    recorder.holdAnswers((c) => c.method === 'GET' && c.path === `/containers/${infra}/json`, () => gate.taken !== undefined, 5000);
    const runtime = new DockerRuntime({client: new Docker({socketPath: recorder.socketPath})});
    cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
    const stack = new Stack({manifest: m, runtime});
    const started = stack.start();
    // Handled by the test: a start that fails is what one of them expects.
    started.catch(() => undefined);
    await until('the look-up of the infra by name', () => recorder.calls.some((c) => c.path === `/containers/${infra}/json`) || undefined);
    const taken = await docker.createContainer({name: infra, Image: TEST_IMAGES.pause, Labels: labels(m)});
    cleanups.push(() => taken.remove({force: true}).catch(() => undefined));
    gate.taken = taken;
    return {stack, started, taken, infra};
  }

  it('a container of this project that took the infra\'s name after the supervisor looked (a creation `up` gave up on) is replaced, not a failed start', async () => {
    const {stack, started, taken, infra} = await nameTakenAfterLookUp('late-create', (m) => projectLabels(m));
    await started;
    const running = await docker.getContainer(infra).inspect();
    expect(running.Id).not.toBe(taken.id);
    expect(running.State.Running).toBe(true);
    await stack.stop();
  });

  it('a container of someone else holding the infra\'s name is not touched: the start fails and says so', async () => {
    const {started, taken} = await nameTakenAfterLookUp('late-foreign', () => ({note: 'not sidecar'}));
    await expect(started).rejects.toThrow(/creating the container for the pod's infra failed: .*(Conflict|already in use)/);
    expect((await taken.inspect()).Id).toBe(taken.id);
  });
});
