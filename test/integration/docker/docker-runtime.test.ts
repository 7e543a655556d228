import {mkdirSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import {Readable} from 'node:stream';
import path from 'node:path';
import Docker from 'dockerode';
import {afterEach, expect, it} from 'vitest';
import type {Manifest} from '../../../src/manifest/types.js';
import {DockerRuntime, Label} from '../../../src/runtime/docker/index.js';
import type {LogLine, RunningUnit} from '../../../src/runtime/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {describeDocker, tempProject, TEST_IMAGES, until} from './docker-engine.js';

const docker = new Docker();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sh(script: string): string[] {
  return ['sh', '-c', script];
}

// A runtime on a fresh project, torn down (volumes too) after the test.
async function prepared(build: (project: {dir: string; name: string}) => Manifest): Promise<{runtime: DockerRuntime; m: Manifest; logs: LogLine[]}> {
  const m = build(tempProject());
  const runtime = new DockerRuntime();
  const logs: LogLine[] = [];
  cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
  await runtime.prepare(m, {log: (line) => logs.push(line)});
  return {runtime, m, logs};
}

function logOf(logs: LogLine[], name: string, text: string): LogLine | undefined {
  return logs.find((line) => line.service === name && line.line.includes(text));
}

describeDocker('DockerRuntime on a real engine', () => {
  it('runs app and sidecars in one pod: shared loopback, shared named volume, reachable endpoint', async () => {
    const {runtime, m, logs} = await prepared(({dir, name}) =>
      manifest({
        name,
        dir,
        volumes: ['shared'],
        sidecars: [
          service('reader', 'sidecar', {
            image: TEST_IMAGES.busybox,
            volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: true}],
            command: sh('until [ -f /data/note ]; do sleep 0.1; done; echo "read $(cat /data/note)"; until wget -qO- http://127.0.0.1:8080/index.html; do sleep 0.1; done; sleep 3600'),
          }),
        ],
        app: service('app', 'app', {
          image: TEST_IMAGES.busybox,
          volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: false}],
          health: {check: {kind: 'http', port: 8080, path: '/index.html', scheme: 'http', headers: {}}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 10_000},
          command: sh('mkdir -p /www && echo hello-from-app > /www/index.html && echo written > /data/note && exec httpd -f -p 8080 -h /www'),
        }),
      }),
    );
    const sidecar = await runtime.start(m.pods[0]!.sidecars[0]!);
    const app = await runtime.start(m.pods[0]!.app);
    await until('the sidecar reads the volume', () => logOf(logs, 'reader', 'read written'));
    await until('the sidecar reaches the app on localhost', () => logOf(logs, 'reader', 'hello-from-app'));
    const {host, port} = await runtime.endpoint(m.pods[0]!.app, 8080);
    const body = await until('the app answers on its endpoint', async () => {
      const response = await fetch(`http://${host}:${port}/index.html`).catch(() => undefined);
      return response?.ok ? response.text() : undefined;
    });
    expect(body.trim()).toBe('hello-from-app');
    await runtime.kill(app);
    await runtime.kill(sidecar);
    expect((await app.exited).service).toBe('app');
  });

  it('labels the pod, the units and the volumes with project, directory, pod, service, role and config hash; single-form names and no network', async () => {
    const {runtime, m} = await prepared(({dir, name}) => manifest({name, dir, volumes: ['v'], app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('sleep 3600')})}));
    const unit = await runtime.start(m.pods[0]!.app);
    const containers = await docker.listContainers({all: true, filters: {label: [`${Label.project}=${m.name}`]}});
    expect(containers.map((c) => c.Labels[Label.role]).sort()).toEqual(['app', 'infra']);
    for (const c of containers) {
      expect(c.Labels[Label.projectDir]).toMatch(/^[0-9a-f]{8}$/);
      expect(c.Labels[Label.configHash]).toMatch(/^[0-9a-f]{16}$/);
      expect(c.Labels[Label.service]).toBeTruthy();
      expect(c.Labels[Label.pod]).toBe(m.name);
    }
    // The single form keeps the names it always had and the default bridge: no project network.
    expect(containers.map((c) => c.Names[0]!.replace(/_[0-9a-f]{8}/, '_HASH')).sort()).toEqual([`/${m.name}_HASH`, `/${m.name}_HASH_app`]);
    expect(await docker.listNetworks({filters: {label: [`${Label.project}=${m.name}`]}})).toEqual([]);
    const app = await docker.getContainer(containers.find((c) => c.Labels[Label.role] === 'app')!.Id).inspect();
    const pod = containers.find((c) => c.Labels[Label.role] === 'infra')!;
    expect(app.HostConfig.NetworkMode).toBe(`container:${pod.Id}`);
    const volume = await docker.getVolume(`${m.name}_v`).inspect();
    expect(volume.Labels?.[Label.project]).toBe(m.name);
    await runtime.stop(unit, 'SIGKILL', 1000);
  });

  it('demultiplexes stdout and stderr into lines and reports the exit code from the event stream', async () => {
    const {runtime, m, logs} = await prepared(({dir, name}) =>
      manifest({name, dir, app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('echo one; echo two >&2; printf "three\\nfour"; exit 7')})}),
    );
    const unit = await runtime.start(m.pods[0]!.app);
    const exit = await unit.exited;
    expect(exit.exitCode).toBe(7);
    expect(logs.filter((l) => l.service === 'app').map((l) => `${l.stream}:${l.line}`).sort()).toEqual(['stderr:two', 'stdout:four', 'stdout:one', 'stdout:three']);
  });

  it('runs exec through the engine and returns the exit code and both streams', async () => {
    const {runtime, m} = await prepared(({dir, name}) => manifest({name, dir, app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('sleep 3600')})}));
    const unit = await runtime.start(m.pods[0]!.app);
    const result = await runtime.exec(m.pods[0]!.app, sh('echo out-$GREETING; echo err >&2; exit 3'), {env: {GREETING: 'hi'}});
    expect(result).toEqual({exitCode: 3, stdout: 'out-hi\n', stderr: 'err\n'});
    await runtime.kill(unit);
    await unit.exited;
  });

  // Tester finding: `printf abc | sidecar exec a -- wc -c` printed 0 (stdin not attached).
  it('exec passes the given stdin to the command and ends it at the input\'s end', async () => {
    const {runtime, m} = await prepared(({dir, name}) => manifest({name, dir, app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('sleep 3600')})}));
    const unit = await runtime.start(m.pods[0]!.app);
    const result = await runtime.exec(m.pods[0]!.app, ['wc', '-c'], {stdin: Readable.from([Buffer.from('abc')]), timeoutMs: 30_000});
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('3');
    await runtime.kill(unit);
    await unit.exited;
  });

  // Found by a new user's trial of `exec` (the CLI interrupted or killed left the
  // command running): a cancelled exec's command, and what it started, stop in the
  // container, SIGKILL after the grace; a command killed by a signal is 128 + its number.
  it('a cancelled exec stops its command and what it started in the container; a signal death is 128 + its number', async () => {
    const {runtime, m} = await prepared(({dir, name}) => manifest({name, dir, app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('sleep 3600')})}));
    const unit = await runtime.start(m.pods[0]!.app);
    const app = m.pods[0]!.app;
    const sleeping = async (): Promise<string> => (await runtime.exec(app, ['ps', '-o', 'args'], {})).stdout.split('\n').filter((line) => /^sleep 77\d/.test(line)).join(',');
    const cancel = new AbortController();
    const running = runtime.exec(app, sh('sleep 771 & sleep 772; wait'), {cancel: cancel.signal});
    await until('the command to run', async () => (await sleeping()).includes('sleep 772') || undefined);
    cancel.abort('SIGTERM');
    expect((await running).exitCode).toBe(143);
    expect(await sleeping()).toBe('');

    const stubborn = new AbortController();
    const ignoring = runtime.exec(app, sh('trap "" TERM INT; sleep 773'), {cancel: stubborn.signal});
    await until('the command to run', async () => (await sleeping()).includes('sleep 773') || undefined);
    stubborn.abort('SIGTERM');
    expect((await ignoring).exitCode).toBe(137);
    expect(await sleeping()).toBe('');

    expect((await runtime.exec(app, sh('kill -9 $$'), {})).exitCode).toBe(137);
    expect((await runtime.exec(app, sh('kill -TERM $$'), {})).exitCode).toBe(143);
    await runtime.kill(unit);
    await unit.exited;
  }, 60_000);

  // Issue 8.12: a missing command was 126 under Docker (the engine's code), 127 under processes.
  it('exec of a missing command is 127 with the reason on stderr; a file that is not executable stays 126', async () => {
    const {runtime, m} = await prepared(({dir, name}) => manifest({name, dir, app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('echo data > /plain; sleep 3600')})}));
    const unit = await runtime.start(m.pods[0]!.app);
    const missing = await runtime.exec(m.pods[0]!.app, ['no-such-command'], {});
    expect(missing).toMatchObject({exitCode: 127, stdout: ''});
    expect(missing.stderr).toMatch(/no-such-command.*not found/);
    expect((await runtime.exec(m.pods[0]!.app, ['/no/such/path'], {})).exitCode).toBe(127);
    await until('the plain file exists', async () => ((await runtime.exec(m.pods[0]!.app, ['test', '-f', '/plain'], {})).exitCode === 0) || undefined);
    expect((await runtime.exec(m.pods[0]!.app, ['/plain'], {})).exitCode).toBe(126);
    await runtime.kill(unit);
    await unit.exited;
  });

  it('stops a container that ignores SIGTERM with SIGKILL once the timeout passed', async () => {
    const {runtime, m, logs} = await prepared(({dir, name}) =>
      manifest({name, dir, app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('trap "echo got-term" TERM; echo ready; while :; do sleep 0.2; done')})}),
    );
    const unit = await runtime.start(m.pods[0]!.app);
    await until('the app is ready', () => logOf(logs, 'app', 'ready'));
    const started = Date.now();
    const exit = await runtime.stop(unit, 'SIGTERM', 1000);
    const elapsed = Date.now() - started;
    expect(exit.exitCode).toBe(137);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    // Bounded: the timeout plus engine latency, generous for a noisy 2-core machine.
    expect(elapsed).toBeLessThan(8000);
    await until('the trap ran', () => logOf(logs, 'app', 'got-term'));
  });

  it('keeps the sidecars\' network when the app container is restarted (the pod owns it)', async () => {
    const {runtime, m, logs} = await prepared(({dir, name}) =>
      manifest({
        name,
        dir,
        sidecars: [service('web', 'sidecar', {image: TEST_IMAGES.busybox, command: sh('mkdir -p /w && echo pong > /w/ping && exec httpd -f -p 9000 -h /w')})],
        app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('until wget -qO- http://127.0.0.1:9000/ping; do sleep 0.1; done; sleep 3600')}),
      }),
    );
    const web = await runtime.start(m.pods[0]!.sidecars[0]!);
    let app: RunningUnit = await runtime.start(m.pods[0]!.app);
    await until('the app reaches the sidecar', () => logOf(logs, 'app', 'pong'));
    await runtime.stop(app, 'SIGKILL', 1000);
    logs.length = 0;
    app = await runtime.start(m.pods[0]!.app);
    await until('the restarted app reaches the sidecar again', () => logOf(logs, 'app', 'pong'));
    await runtime.kill(app);
    await runtime.kill(web);
  });

  it('reaps by label after the supervisor forgot everything, then tears down', async () => {
    const first = await prepared(({dir, name}) =>
      manifest({name, dir, volumes: ['keep'], sidecars: [service('side', 'sidecar', {image: TEST_IMAGES.busybox, command: sh('sleep 3600'), stopTimeoutMs: 1000})], app: service('app', 'app', {image: TEST_IMAGES.busybox, command: sh('sleep 3600'), stopTimeoutMs: 1000})}),
    );
    await first.runtime.start(first.m.pods[0]!.sidecars[0]!);
    await first.runtime.start(first.m.pods[0]!.app);
    first.runtime.close();
    const fresh = new DockerRuntime();
    const reaped = await fresh.reap(first.m, []);
    // Both units and the pod.
    expect(reaped).toHaveLength(3);
    expect(await docker.listContainers({filters: {label: [`${Label.project}=${first.m.name}`], status: ['running']}})).toEqual([]);
    await fresh.teardown(first.m, {removeVolumes: false});
    expect(await docker.listContainers({all: true, filters: {label: [`${Label.project}=${first.m.name}`]}})).toEqual([]);
    // Named volumes survive a plain teardown; removeVolumes removes them.
    await docker.getVolume(`${first.m.name}_keep`).inspect();
    await fresh.teardown(first.m, {removeVolumes: true});
    await expect(docker.getVolume(`${first.m.name}_keep`).inspect()).rejects.toMatchObject({statusCode: 404});
  });

  it('builds a service from its context honouring .dockerignore', async () => {
    const {dir, name} = tempProject();
    const context = path.join(dir, 'app');
    mkdirSync(path.join(context, 'skipped'), {recursive: true});
    writeFileSync(path.join(context, 'Dockerfile'), `FROM ${TEST_IMAGES.busybox}\nCOPY . /ctx\nCMD ["ls", "-A", "/ctx"]\n`);
    writeFileSync(path.join(context, '.dockerignore'), 'skipped\nsecret.txt\n');
    writeFileSync(path.join(context, 'kept.txt'), 'x');
    writeFileSync(path.join(context, 'secret.txt'), 'x');
    writeFileSync(path.join(context, 'skipped', 'big.bin'), 'x');
    const m = manifest({name, dir, app: service('app', 'app', {build: {context, dockerfile: 'Dockerfile', args: {}}})});
    const progress: string[] = [];
    const runtime = new DockerRuntime({onImageProgress: (p) => progress.push(`${p.action}:${p.phase}`)});
    const logs: LogLine[] = [];
    cleanups.push(async () => {
      await runtime.teardown(m, {removeVolumes: true});
      await docker.getImage(`${name}-app:latest`).remove({force: true});
    });
    await runtime.prepare(m, {log: (line) => logs.push(line)});
    expect(progress).toContain('build:done');
    const unit = await runtime.start(m.pods[0]!.app);
    expect((await unit.exited).exitCode).toBe(0);
    expect(logs.map((l) => l.line).sort()).toEqual(['.dockerignore', 'Dockerfile', 'kept.txt']);
  });

  it('fails with SIDECAR_STACK_FAILED and the engine\'s message when an image is missing', async () => {
    const {dir, name} = tempProject();
    const m = manifest({name, dir, app: service('app', 'app', {image: 'sidecar-test/does-not-exist:1', command: ['true']})});
    const runtime = new DockerRuntime();
    cleanups.push(() => runtime.teardown(m, {removeVolumes: true}));
    const failure = await runtime.prepare(m, {log: () => {}}).catch((error: unknown) => error);
    expect(failure).toMatchObject({code: 'SIDECAR_STACK_FAILED', exitCode: 5});
    expect((failure as Error).message).toMatch(/sidecar-test\/does-not-exist:1 for app failed: .+/);
  });

  it('fails fast with SIDECAR_RUNTIME_UNAVAILABLE (exit 4) when DOCKER_HOST points nowhere', async () => {
    // A socket that accepts and never answers: the worst case for "fast".
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const saved = process.env.DOCKER_HOST;
    try {
      for (const host of ['unix:///tmp/sidecar-no-such-engine.sock', `tcp://127.0.0.1:${port}`]) {
        process.env.DOCKER_HOST = host;
        const {dir, name} = tempProject();
        const started = Date.now();
        const failure = await new DockerRuntime().prepare(manifest({name, dir, app: service('app', 'app', {image: TEST_IMAGES.busybox})}), {log: () => {}}).catch((error: unknown) => error);
        // The ping gives up after ~1s; the rest is slack for a loaded 2-core CI
        // machine. A client that waits on the silent socket for good still fails.
        expect(Date.now() - started).toBeLessThan(5000);
        expect(failure).toMatchObject({code: 'SIDECAR_RUNTIME_UNAVAILABLE', exitCode: 4});
        expect((failure as {suggestion: string}).suggestion).toMatch(/--runtime process/);
      }
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      silent.close();
    }
  });
});
