import {writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Docker from 'dockerode';
import {execa} from 'execa';
import {afterEach, expect, it} from 'vitest';
import type {Manifest, Service} from '../../../src/manifest/types.js';
import {DockerRuntime, Label} from '../../../src/runtime/docker/index.js';
import {projectDirHash} from '../../../src/runtime/docker/naming.js';
import {survivingContainers} from '../../../src/runtime/docker/survivors.js';
import type {LogLine, RunningUnit} from '../../../src/runtime/types.js';
import {freePort} from '../../helpers/free-port.js';
import {podsManifest, service} from '../../helpers/manifest-builder.js';
import {ensureBuilt, root} from '../cli/cli-harness.js';
import {describeDocker, tempProject, TEST_IMAGES, until} from './docker-engine.js';

// Issue 10 point 4: with `pods:`, one project network, one infra per pod joined
// to it under the pod's name, every unit in its own pod's namespace.
const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sh = (script: string): string[] => ['sh', '-c', script];
const web = (name: string, text: string, overrides: Partial<Service> = {}): Service =>
  service(name, 'app', {image: TEST_IMAGES.busybox, command: sh(`mkdir -p /www && echo ${text} > /www/i && exec httpd -f -p 8080 -h /www`), stopTimeoutMs: 1000, ...overrides});
// `${pods.b.host}` in env and in the command: a literal `${pods.b.host}` would be a shell error.
const client = (): Service =>
  service('client', 'sidecar', {
    image: TEST_IMAGES.busybox,
    env: {TARGET: 'http://${pods.b.host}:8080/i'},
    command: sh('until out=$(wget -qO- "$TARGET"); do sleep 0.2; done; echo "env:$out"; until out=$(wget -qO- http://${pods.b.host}:8080/i); do sleep 0.2; done; echo "cmd:$out"; exec sleep 3600'),
    stopTimeoutMs: 1000,
  });

function twoPods(extra: {bPorts?: Service['ports']} = {}): Manifest {
  return podsManifest({...tempProject('scn'), pods: [{name: 'a', app: web('app', 'from-a'), sidecars: [client()]}, {name: 'b', app: web('app', 'from-b', {ports: extra.bPorts ?? []})}]});
}

async function prepared(m: Manifest): Promise<{runtime: DockerRuntime; logs: LogLine[]; lost: string[]}> {
  const runtime = new DockerRuntime();
  const logs: LogLine[] = [];
  const lost: string[] = [];
  cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
  await runtime.prepare(m, {log: (line) => logs.push(line), podLost: (pod) => lost.push(pod)});
  return {runtime, logs, lost};
}

const pod = (m: Manifest, name: string) => m.pods.find((p) => p.name === name)!;
const logged = (logs: LogLine[], id: string, text: string) => logs.find((l) => l.service === id && l.line === text);
const projectContainers = (m: Manifest) => docker.listContainers({all: true, filters: {label: [`${Label.project}=${m.name}`, `${Label.projectDir}=${projectDirHash(m)}`]}});
const projectNetworks = (m: Manifest) => docker.listNetworks({filters: {label: [`${Label.project}=${m.name}`]}});

async function startAll(runtime: DockerRuntime, m: Manifest): Promise<RunningUnit[]> {
  const units: RunningUnit[] = [];
  for (const p of m.pods) for (const s of [...p.sidecars, p.app]) units.push(await runtime.start(s));
  return units;
}

async function body(host: string, port: number): Promise<string | undefined> {
  const response = await fetch(`http://${host}:${port}/i`).catch(() => undefined);
  return response?.ok ? (await response.text()).trim() : undefined;
}

describeDocker('pods on Docker: one network, one namespace per pod', () => {
  it('runs two pods that both listen on 8080, each probed in its own pod, host ports on the right pod', async () => {
    const hostPort = await freePort();
    const m = twoPods({bPorts: [{hostIp: '127.0.0.1', hostPort, containerPort: 8080, protocol: 'tcp'}]});
    const {runtime} = await prepared(m);
    await startAll(runtime, m);
    const a = await runtime.endpoint(pod(m, 'a').app, 8080);
    const b = await runtime.endpoint(pod(m, 'b').app, 8080);
    expect(a.host).not.toBe(b.host);
    expect(await until('pod a answers on 8080', () => body(a.host, a.port))).toBe('from-a');
    expect(await until('pod b answers on 8080', () => body(b.host, b.port))).toBe('from-b');
    // The published port is pod b's, not pod a's.
    expect(await until('pod b answers on its published port', () => body('127.0.0.1', hostPort))).toBe('from-b');
    const infras = (await projectContainers(m)).filter((c) => c.Labels[Label.role] === 'infra');
    const bindings = async (name: string) => (await docker.getContainer(infras.find((c) => c.Labels[Label.pod] === name)!.Id).inspect()).HostConfig.PortBindings ?? {};
    expect(await bindings('a')).toEqual({});
    expect(await bindings('b')).toEqual({'8080/tcp': [{HostIp: '127.0.0.1', HostPort: String(hostPort)}]});
  });

  it('names the service of the right pod when its published host port is taken (issue 8.8 with pods)', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const held = (holder.address() as net.AddressInfo).port;
    const m = twoPods({bPorts: [{hostIp: '127.0.0.1', hostPort: held, containerPort: 8080, protocol: 'tcp'}]});
    const runtime = new DockerRuntime();
    cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
    const failure = await runtime.prepare(m, {log: () => {}}).catch((error: unknown) => error);
    expect(failure).toMatchObject({code: 'SIDECAR_STACK_FAILED', service: 'b/app'});
    expect((failure as Error).message).toMatch(new RegExp(`service "b/app" publishes host port ${held}`));
  });

  it('lets pod a reach pod b by name: ${pods.b.host} in env, command and an exec (health) command', async () => {
    const m = twoPods();
    const {runtime, logs} = await prepared(m);
    await startAll(runtime, m);
    await until('the client reaches b through its env', () => logged(logs, 'a/client', 'env:from-b'), 30_000);
    await until('the client reaches b through its command', () => logged(logs, 'a/client', 'cmd:from-b'), 30_000);
    const probe = await runtime.exec(pod(m, 'a').sidecars[0]!, ['wget', '-qO-', 'http://${pods.b.host}:8080/i'], {timeoutMs: 10_000});
    expect(probe).toMatchObject({exitCode: 0, stdout: 'from-b\n'});
    // Inside a pod, services reach each other on localhost, as in the single form.
    const local = await runtime.exec(pod(m, 'a').sidecars[0]!, ['wget', '-qO-', 'http://127.0.0.1:8080/i'], {timeoutMs: 10_000});
    expect(local.stdout).toBe('from-a\n');
  });

  it('labels every container with its pod, names them per pod, joins each unit to its own pod, and labels the network', async () => {
    const m = twoPods();
    const {runtime} = await prepared(m);
    await startAll(runtime, m);
    const base = `${m.name}_${projectDirHash(m)}`;
    const containers = await projectContainers(m);
    expect(containers.map((c) => [c.Names[0], c.Labels[Label.pod], c.Labels[Label.service], c.Labels[Label.role]]).sort()).toEqual(
      [
        [`/${base}_a`, 'a', 'pod', 'infra'],
        [`/${base}_a_app`, 'a', 'a/app', 'app'],
        [`/${base}_a_client`, 'a', 'a/client', 'sidecar'],
        [`/${base}_b`, 'b', 'pod', 'infra'],
        [`/${base}_b_app`, 'b', 'b/app', 'app'],
      ].sort(),
    );
    const networks = await projectNetworks(m);
    expect(networks.map((n) => [n.Name, n.Driver, n.Labels?.[Label.projectDir]])).toEqual([[base, 'bridge', projectDirHash(m)]]);
    for (const c of containers) {
      const info = await docker.getContainer(c.Id).inspect();
      if (c.Labels[Label.role] === 'infra') {
        expect(info.Config.Hostname).toBe(c.Labels[Label.pod]);
        expect(info.NetworkSettings.Networks[base]?.Aliases).toContain(c.Labels[Label.pod]);
      } else {
        const infra = containers.find((x) => x.Labels[Label.role] === 'infra' && x.Labels[Label.pod] === c.Labels[Label.pod])!;
        expect(info.HostConfig.NetworkMode).toBe(`container:${infra.Id}`);
      }
    }
  });

  it('keeps pod b\'s network and DNS name when every service of pod b restarts: pod a still reaches it by name', async () => {
    const m = twoPods();
    const {runtime, logs} = await prepared(m);
    const units = await startAll(runtime, m);
    const clientOfA = pod(m, 'a').sidecars[0]!;
    await until('a reaches b', () => logged(logs, 'a/client', 'cmd:from-b'), 30_000);
    const infraBefore = (await projectContainers(m)).find((c) => c.Labels[Label.role] === 'infra' && c.Labels[Label.pod] === 'b')!.Id;
    const networkBefore = (await projectNetworks(m))[0]!.Id;
    for (const unit of units.filter((u) => u.service.pod === 'b')) await runtime.stop(unit, 'SIGTERM', 1000);
    // While b's services are down, its name still resolves (its infra holds it) and nothing answers.
    const down = await runtime.exec(clientOfA, ['wget', '-qO-', 'http://${pods.b.host}:8080/i'], {timeoutMs: 10_000});
    // (No `wget -T`: the busybox-static build segfaults with it.)
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/refused/);
    const again = await runtime.start(pod(m, 'b').app);
    const reached = await until('a reaches the restarted b by name', async () => {
      const r = await runtime.exec(clientOfA, ['wget', '-qO-', 'http://${pods.b.host}:8080/i'], {timeoutMs: 10_000});
      return r.exitCode === 0 ? r.stdout : undefined;
    }, 30_000);
    expect(reached).toBe('from-b\n');
    const infraAfter = (await projectContainers(m)).find((c) => c.Labels[Label.role] === 'infra' && c.Labels[Label.pod] === 'b')!.Id;
    expect(infraAfter).toBe(infraBefore);
    expect((await projectNetworks(m)).map((n) => n.Id)).toEqual([networkBefore]);
    expect(again.identity).not.toEqual(units.find((u) => u.service.id === 'b/app')!.identity);
  });

  it('loses only pod b when its infra goes, and preparePod(b) recreates it under the same name and alias', async () => {
    const m = twoPods();
    const {runtime, lost} = await prepared(m);
    const units = await startAll(runtime, m);
    const infraOf = async (name: string) => (await projectContainers(m)).find((c) => c.Labels[Label.role] === 'infra' && c.Labels[Label.pod] === name)?.Id;
    const [aBefore, bBefore] = [await infraOf('a'), await infraOf('b')];
    await docker.getContainer(bBefore!).remove({force: true});
    await until('pod b is reported lost', () => lost.length > 0 || undefined);
    expect(lost).toEqual(['b']);
    // The old b/app lost its network with its infra; the supervisor would stop it.
    await runtime.kill(units.find((u) => u.service.id === 'b/app')!);
    await runtime.preparePod(pod(m, 'b'));
    expect(await infraOf('a')).toBe(aBefore);
    const bAfter = await infraOf('b');
    expect(bAfter).toBeDefined();
    expect(bAfter).not.toBe(bBefore);
    await runtime.start(pod(m, 'b').app);
    const reached = await until('a reaches the recreated b by name', async () => {
      const r = await runtime.exec(pod(m, 'a').sidecars[0]!, ['wget', '-qO-', 'http://b:8080/i'], {timeoutMs: 10_000});
      return r.exitCode === 0 ? r.stdout : undefined;
    }, 30_000);
    expect(reached).toBe('from-b\n');
    expect(lost).toEqual(['b']);
  });

  it('after the supervisor is SIGKILLed, reap + teardown (the `down` path) remove every pod\'s containers and the network', async () => {
    ensureBuilt();
    const m = twoPods();
    const file = path.join(m.dir, 'manifest.json');
    writeFileSync(file, JSON.stringify(m));
    cleanups.push(() => new DockerRuntime().teardown(m, {removeVolumes: true}));
    const holder = execa(process.execPath, [path.join(root, 'test/integration/docker/pods-holder.mjs'), path.join(root, 'dist/runtime/docker/index.js'), file], {reject: false, all: true});
    let output = '';
    holder.all.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ended = holder.then((result) => result);
    await until('the holder started every pod', () => output.includes('ready') || undefined, 60_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; holder said: ${output}`);
    });
    holder.kill('SIGKILL');
    expect((await ended).signal).toBe('SIGKILL');
    const left = await projectContainers(m);
    expect(left.filter((c) => c.State === 'running')).toHaveLength(5);
    // `ps` without a supervisor finds the surviving units by their ids.
    const recorded = left.map((c) => ({kind: 'docker' as const, containerId: c.Id}));
    expect([...(await survivingContainers(m.name, recorded)).keys()].sort()).toEqual(['a/app', 'a/client', 'b/app']);
    // What the host's reap path (reap-leftovers.ts) runs for `down` with a dead supervisor.
    const fresh = new DockerRuntime();
    expect(await fresh.reap(m, recorded)).toHaveLength(5);
    await fresh.teardown(m, {removeVolumes: false});
    expect(await projectContainers(m)).toEqual([]);
    expect(await projectNetworks(m)).toEqual([]);
  }, 180_000);
});
