import {existsSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, freePort, project, root, survivors, type Project} from '../cli/cli-harness.js';

// Issue 14.2: the Node API as a test suite uses it, through the package's own
// entry (dist/index.js, what `import {up} from 'sidecar-pod'` loads).
type Api = typeof import('../../../src/index.js');
let api: Api;
const live: {down(): Promise<void>}[] = [];

beforeAll(async () => {
  ensureBuilt();
  api = (await import(path.join(root, 'dist/index.js'))) as Api;
}, 120_000);
afterEach(async () => {
  for (const stack of live.splice(0)) await stack.down();
});

async function appBehindProxy(): Promise<{p: Project; app: number; proxy: number}> {
  const [app, proxy] = [await freePort(), await freePort()];
  const p = project(`version: 1
name: api-test
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "${app}", NAME: app, SIDECAR_TEST_MARK: "\${MARK}"}
  health: {http: {port: ${app}, path: /healthz}, interval: 100ms}
  stopTimeout: 2s
sidecars:
  proxy:
    command: [node, \${PROGRAMS}/tcp-proxy.js]
    env: {LISTEN_PORT: "${proxy}", TARGET_PORT: "${app}", SIDECAR_TEST_MARK: "\${MARK}"}
    health: {tcp: {port: ${proxy}}, interval: 100ms}
    stopTimeout: 2s
`);
  return {p, app, proxy};
}

describe('Node API: up() for a test suite', () => {
  it('resolves when ready; endpoint, ps, logs, exec, restart and down do what the CLI does', async () => {
    const {p, app, proxy} = await appBehindProxy();
    const stack = await api.up({cwd: p.dir, runtime: 'process'});
    live.push(stack);
    expect(stack).toMatchObject({project: 'api-test', runtime: 'process', dir: p.dir, owned: true});

    expect(await stack.endpoint('app', app)).toBe(`127.0.0.1:${app}`);
    const viaProxy = await fetch(`http://${await stack.endpoint('proxy', proxy)}/`);
    expect(await viaProxy.text()).toBe('hello from app\n');

    const ps = await stack.ps();
    expect(ps.map((s) => [s.name, s.state, s.health])).toEqual([['proxy', 'running', 'healthy'], ['app', 'running', 'healthy']]);

    const lines = await stack.logs('app');
    expect(lines.some((l) => l.service === 'app' && l.line.startsWith('listening'))).toBe(true);

    const exec = await stack.exec('app', ['node', '-e', 'process.stdout.write(process.env.NAME)']);
    expect(exec).toMatchObject({exitCode: 0, stdout: 'app'});

    const before = ps.find((s) => s.name === 'app')!.pid;
    await stack.restart('app');
    const after = await stack.ps();
    expect(after.find((s) => s.name === 'app')!.pid).not.toBe(before);
    expect(after.find((s) => s.name === 'proxy')!.pid).toBe(ps.find((s) => s.name === 'proxy')!.pid);

    await stack.down();
    expect(survivors(p.mark)).toEqual([]);
  });

  it('with several pods: endpoint and exec take POD/SERVICE, a bare name where one pod has it, and refuse an ambiguous one', async () => {
    const [a, b, sidecar] = [await freePort(), await freePort(), await freePort()];
    const p = project(`version: 1
name: api-pods
pods:
  a:
    app:
      command: [node, \${PROGRAMS}/http-server.js]
      env: {PORT: "${a}", NAME: a, SIDECAR_TEST_MARK: "\${MARK}"}
      health: {http: {port: ${a}, path: /healthz}, interval: 100ms}
    sidecars:
      proxy:
        command: [node, \${PROGRAMS}/tcp-proxy.js]
        env: {LISTEN_PORT: "${sidecar}", TARGET_PORT: "${a}", SIDECAR_TEST_MARK: "\${MARK}"}
        health: {tcp: {port: ${sidecar}}, interval: 100ms}
  b:
    app:
      command: [node, \${PROGRAMS}/http-server.js]
      env: {PORT: "${b}", NAME: b, SIDECAR_TEST_MARK: "\${MARK}"}
      health: {http: {port: ${b}, path: /healthz}, interval: 100ms}
`);
    const stack = await api.up({cwd: p.dir, runtime: 'process'});
    live.push(stack);
    expect(await stack.endpoint('b/app', b)).toBe(`127.0.0.1:${b}`);
    expect(await stack.endpoint('proxy', sidecar)).toBe(`127.0.0.1:${sidecar}`);
    expect(await (await fetch(`http://${await stack.endpoint('a/proxy', sidecar)}/`)).text()).toBe('hello from a\n');
    expect((await stack.exec('b/app', ['node', '-e', 'process.stdout.write(process.env.NAME)'])).stdout).toBe('b');
    expect((await stack.ps()).map((s) => [s.pod, s.name])).toEqual([['a', 'a/proxy'], ['a', 'a/app'], ['b', 'b/app']]);
    await expect(stack.endpoint('app', a)).rejects.toMatchObject({code: 'SIDECAR_AMBIGUOUS_SERVICE'});
    await stack.down();
    expect(survivors(p.mark)).toEqual([]);
  });

  it('rejects with the CLI error (code and fix) and leaves nothing when a service never gets ready', async () => {
    const port = await freePort();
    const p = project(`version: 1
name: api-never
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  health: {tcp: {port: ${port}}, interval: 100ms, startTimeout: 1s}
`);
    const failed = await api.up({cwd: p.dir, runtime: 'process'}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(api.SidecarError);
    expect(failed).toMatchObject({code: 'SIDECAR_STACK_FAILED'});
    await eventually(() => survivors(p.mark).length === 0, 15_000, 'nothing left');
  });

  it('stops the stack when the process that called up() dies without down()', async () => {
    const {p, app} = await appBehindProxy();
    const script = `const {up} = await import(${JSON.stringify(path.join(root, 'dist/index.js'))});
const stack = await up({cwd: ${JSON.stringify(p.dir)}, runtime: 'process'});
console.log('ready', stack.supervisorPid);
setInterval(() => {}, 1000);`;
    const owner = execa(process.execPath, ['--input-type=module', '-e', script], {reject: false, env: p.env});
    // Should the supervisor miss its owner's end, the test still leaves nothing behind.
    live.push({down: async () => void (await cli(p, ['down']))});
    let out = '';
    owner.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => out.includes('ready'), 60_000, 'the owner to have its stack');
    const supervisorPid = Number(/ready (\d+)/.exec(out)![1]);
    expect((await fetch(`http://127.0.0.1:${app}/`)).status).toBe(200);
    owner.kill('SIGKILL');
    await owner;
    await eventually(() => survivors(p.mark).length === 0, 20_000, 'the stack stopped after its owner died');
    await eventually(() => {
      try {
        process.kill(supervisorPid, 0);
        return false;
      } catch {
        return true;
      }
    }, 20_000, 'the supervisor exited');
  });
});

// What a promise rejected with (or the value it resolved with, for the message of a failed expectation).
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({resolvedWith: value}),
    (error: unknown) => error,
  );
}

// A new user's trial: `stack.exec('app', 'echo hi')` ran `e` (the string spread
// into characters) and answered exit 127. Every list the API takes is checked.
describe('Node API: a command or a list given as a string is refused, not spread into characters', () => {
  it('exec refuses a string command with a SidecarError that shows the array form; restart and up({services}) check their lists', async () => {
    const {p} = await appBehindProxy();
    const stack = await api.up({cwd: p.dir, runtime: 'process'});
    live.push(stack);

    const asString = await rejection(stack.exec('app', 'echo hi' as unknown as string[]));
    expect(asString).toBeInstanceOf(api.SidecarError);
    expect(asString).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringMatching(/array of words/)});
    expect((asString as InstanceType<Api['SidecarError']>).suggestion).toContain(`['sh', '-c', 'echo hi']`);
    for (const bad of [[], ['node', 42], [''], undefined]) {
      expect(await rejection(stack.exec('app', bad as unknown as string[])), JSON.stringify(bad)).toMatchObject({code: 'SIDECAR_USAGE'});
    }
    expect(await rejection(stack.exec(['app'] as unknown as string, ['true']))).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringMatching(/service/)});

    // restart(...services): an array given as one argument, or no service at all (the CLI requires one).
    expect(await rejection(stack.restart(['app', 'proxy'] as unknown as string))).toMatchObject({code: 'SIDECAR_USAGE', suggestion: expect.stringMatching(/restart\('app', 'proxy'\)|\.\.\./)});
    expect(await rejection(stack.restart())).toMatchObject({code: 'SIDECAR_USAGE'});
    expect(await rejection(stack.logs(['app'] as unknown as string))).toMatchObject({code: 'SIDECAR_USAGE'});

    // The stack is untouched and a real command still runs.
    expect(await stack.exec('app', ['sh', '-c', 'echo hi'])).toMatchObject({exitCode: 0, stdout: 'hi'});
    await stack.down();

    // up({services: 'app'}) is the same mistake: refused before anything starts.
    const services = await rejection(api.up({cwd: p.dir, runtime: 'process', services: 'app' as unknown as string[]}).then((s) => (live.push(s), s)));
    expect(services).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringMatching(/services/), suggestion: expect.stringContaining(`['app']`)});
    expect(survivors(p.mark)).toEqual([]);
  });
});

// A new user's trial: up({runtime: 'bogus'}) resolved (on the process runtime)
// and up({timeoutMs: -5}) was taken too; the CLI refuses `--runtime bogus` (exit 2).
describe('Node API: options outside their domain are refused, naming the option, the value and what it takes', () => {
  it('up() rejects a bad option value, an unknown option or a non-object before anything starts', async () => {
    const {p} = await appBehindProxy();
    const tryUp = (options: unknown): Promise<unknown> => rejection(api.up(options as Parameters<Api['up']>[0]).then((s) => (live.push(s), s)));

    const runtime = await tryUp({cwd: p.dir, runtime: 'bogus'});
    expect(runtime).toBeInstanceOf(api.SidecarError);
    expect(runtime).toMatchObject({code: 'SIDECAR_USAGE', exitCode: 2, message: expect.stringMatching(/runtime.*"bogus".*auto, docker, process|runtime.*"bogus"/)});
    expect((runtime as Error).message).toMatch(/auto/);
    expect((runtime as Error).message).toMatch(/docker/);
    expect((runtime as Error).message).toMatch(/process/);

    for (const timeoutMs of [-5, 0, Number.NaN, Number.POSITIVE_INFINITY, '5000', 30 * 24 * 3_600_000]) {
      const refused = await tryUp({cwd: p.dir, runtime: 'process', timeoutMs});
      expect(refused, String(timeoutMs)).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('timeoutMs')});
      expect((refused as Error).message).toContain(typeof timeoutMs === 'string' ? `"${timeoutMs}"` : String(timeoutMs));
    }
    expect(await tryUp({cwd: p.dir, runtime: 'process', build: 'yes'})).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('build')});
    expect(await tryUp({cwd: p.dir, runtime: 'process', file: 42})).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('file')});
    expect(await tryUp({cwd: 7, runtime: 'process'})).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('cwd')});
    expect(await tryUp({cwd: p.dir, runtime: 'process', services: ['app', 3]})).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('services')});

    // An option the table does not have (a typo of timeoutMs) is not silently ignored.
    const unknown = await tryUp({cwd: p.dir, runtime: 'process', timeout: 5000});
    expect(unknown).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('timeout'), suggestion: expect.stringContaining('timeoutMs')});
    expect(await tryUp('sidecar.yaml')).toMatchObject({code: 'SIDECAR_USAGE', suggestion: expect.stringContaining('file')});

    expect(survivors(p.mark)).toEqual([]);
    expect(existsSync(path.join(p.dir, '.sidecar/supervisor.json'))).toBe(false);
  });

  it("the handle's options are checked the same way: logs({tail}), down({timeoutMs}), endpoint's port", async () => {
    const {p, app} = await appBehindProxy();
    const stack = await api.up({cwd: p.dir, runtime: 'process'});
    live.push(stack);
    for (const tail of [-1, 1.5, '10']) {
      expect(await rejection(stack.logs('app', {tail: tail as number})), String(tail)).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('tail')});
    }
    expect(await rejection(stack.logs('app', {tial: 3} as unknown as {tail: number}))).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('tial')});
    for (const port of ['8080', 0, 70_000, 80.5]) {
      expect(await rejection(stack.endpoint('app', port as number)), String(port)).toMatchObject({code: 'SIDECAR_USAGE', message: expect.stringContaining('port')});
    }
    for (const options of [{timeoutMs: -1}, {timeoutMs: Number.NaN}, {volumes: 'yes'}, {timeout: 5}]) {
      expect(await rejection(stack.down(options as {timeoutMs: number})), JSON.stringify(options)).toMatchObject({code: 'SIDECAR_USAGE'});
    }
    // None of those took the stack down: it still answers, and a valid down() stops it.
    expect(await stack.endpoint('app', app)).toBe(`127.0.0.1:${app}`);
    expect((await stack.logs('app', {tail: 0})).length).toBe(0);
    await stack.down({timeoutMs: 2000});
    expect(survivors(p.mark)).toEqual([]);
  });
});

// A new user's trial: after `await stack.down()`, `stack.ps()` threw a raw
// `connect ENOENT .../.sidecar/control.sock` with no sidecar code.
describe('Node API: a handle whose stack is down', () => {
  it('after down(), ps, logs, exec, restart and endpoint reject with SIDECAR_NOT_RUNNING; down() again resolves', async () => {
    const {p, app} = await appBehindProxy();
    const stack = await api.up({cwd: p.dir, runtime: 'process'});
    live.push(stack);
    await stack.down();
    const calls: [string, () => Promise<unknown>][] = [
      ['ps', () => stack.ps()],
      ['logs', () => stack.logs()],
      ['logs', () => stack.logs('app', {tail: 5})],
      ['exec', () => stack.exec('app', ['true'])],
      ['restart', () => stack.restart('app')],
      ['endpoint', () => stack.endpoint('app', app)],
    ];
    for (const [method, call] of calls) {
      const error = await rejection(call());
      expect(error, method).toBeInstanceOf(api.SidecarError);
      expect(error, method).toMatchObject({code: 'SIDECAR_NOT_RUNNING', message: expect.stringMatching(/down\(\)/), suggestion: expect.stringMatching(/up\(\)/)});
      expect((error as Error).message, method).toContain(method);
    }
    await stack.down();
    expect(stack).toMatchObject({project: 'api-test', owned: true});
  });

  it('a stack stopped some other way (`sidecar down`): the same SIDECAR_NOT_RUNNING, not a raw ENOENT or an empty answer', async () => {
    const {p} = await appBehindProxy();
    const stack = await api.up({cwd: p.dir, runtime: 'process'});
    live.push(stack);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    for (const [method, call] of [['ps', () => stack.ps()], ['logs', () => stack.logs('app')], ['exec', () => stack.exec('app', ['true'])]] as const) {
      expect(await rejection(call()), method).toMatchObject({code: 'SIDECAR_NOT_RUNNING', message: expect.stringContaining(`${stack.supervisorPid}`)});
    }
  });

  // A handle talks to `.sidecar/control.sock`, a path every supervisor of the
  // directory binds: once its own stack was stopped and another one started
  // there, the old handle was answered by (and drove, down() included) the new one.
  it('a handle whose stack was replaced by a new one in the same directory rejects with SIDECAR_NOT_RUNNING and never drives (or stops) the new stack', async () => {
    const {p, app} = await appBehindProxy();
    const old = await api.up({cwd: p.dir, runtime: 'process'});
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    const started = await cli(p, ['up', '-d', '--wait', '--runtime', 'process']);
    live.push({down: async () => void (await cli(p, ['down']))});
    expect(started.exitCode, started.all).toBe(0);
    const psNow = async (): Promise<{supervisor: {pid: number} | null; services: {name: string; state: string; pid: number | null; restarts: number}[]}> => {
      const ps = await cli(p, ['ps', '--json']);
      expect(ps.exitCode, ps.all).toBe(0);
      return JSON.parse(ps.stdout) as Awaited<ReturnType<typeof psNow>>;
    };
    const before = await psNow();
    const newPid = before.supervisor!.pid;
    expect(newPid).not.toBe(old.supervisorPid);

    const calls: [string, () => Promise<unknown>][] = [
      ['ps', () => old.ps()],
      ['logs', () => old.logs('app')],
      ['exec', () => old.exec('app', ['true'])],
      ['restart', () => old.restart('app')],
      ['endpoint', () => old.endpoint('app', app)],
      ['down', () => old.down()],
    ];
    for (const [method, call] of calls) {
      const error = await rejection(call());
      expect(error, method).toBeInstanceOf(api.SidecarError);
      expect(error, method).toMatchObject({code: 'SIDECAR_NOT_RUNNING', suggestion: expect.stringMatching(/up\(\)/)});
      const message = (error as Error).message;
      for (const part of [method, 'api-test', `pid ${old.supervisorPid}`, `another supervisor (pid ${newPid})`]) expect(message, method).toContain(part);
    }

    // The new stack never heard of them: same supervisor, nothing restarted, still running.
    process.kill(newPid, 0);
    const after = await psNow();
    expect(after.supervisor?.pid).toBe(newPid);
    expect(after.services.map((s) => [s.name, s.state, s.pid, s.restarts])).toEqual(before.services.map((s) => [s.name, 'running', s.pid, s.restarts]));

    // A request addressed to the old supervisor is refused by the new one itself
    // (the window between the handle's check and its connection).
    const {callControl} = (await import(path.join(root, 'dist/host/control/control-client.js'))) as typeof import('../../../src/host/control/control-client.js');
    const socket = path.join(p.dir, '.sidecar/control.sock');
    expect(await rejection(callControl(socket, {method: 'restart', services: ['app'], to: {pid: old.supervisorPid}}))).toMatchObject({code: 'SIDECAR_NOT_RUNNING'});
    expect((await psNow()).services.map((s) => s.pid)).toEqual(before.services.map((s) => s.pid));

    // The same window through a handle: one whose supervisor still looks alive (this
    // test's own process stands in for it) passes its check, but is refused by the
    // supervisor that answers; its down() stops nothing either.
    const {projectFiles} = (await import(path.join(root, 'dist/host/project-files.js'))) as typeof import('../../../src/host/project-files.js');
    const {processStartTime} = (await import(path.join(root, 'dist/runtime/process/process-start-time.js'))) as typeof import('../../../src/runtime/process/process-start-time.js');
    const hello = {pid: process.pid, project: 'api-test', runtime: 'process', dir: p.dir, phase: 'ready'} as const;
    const stale = new api.SidecarStack(projectFiles(p.dir), socket, hello, true, processStartTime(process.pid));
    expect(await rejection(stale.restart('app'))).toMatchObject({code: 'SIDECAR_NOT_RUNNING', message: expect.stringContaining(`pid ${newPid}`)});
    expect(await rejection(stale.down())).toMatchObject({code: 'SIDECAR_NOT_RUNNING', message: expect.stringContaining(`pid ${newPid}`)});
    expect(await psNow()).toMatchObject({supervisor: {pid: newPid}, services: before.services.map((s) => ({pid: s.pid, state: 'running'}))});

    // The new stack's own handle drives it.
    const current = await api.up({cwd: p.dir, runtime: 'process'});
    expect(current).toMatchObject({supervisorPid: newPid, owned: false});
    expect((await current.ps()).map((s) => s.state)).toEqual(['running', 'running']);
  });

  it("down() of a stack it found running (not owned) leaves it running, and the handle still answers", async () => {
    const {p} = await appBehindProxy();
    const started = await cli(p, ['up', '-d', '--wait', '--runtime', 'process']);
    live.push({down: async () => void (await cli(p, ['down']))});
    expect(started.exitCode, started.all).toBe(0);
    const stack = await api.up({cwd: p.dir, runtime: 'process'});
    expect(stack.owned).toBe(false);
    await stack.down();
    expect((await stack.ps()).map((s) => s.state)).toEqual(['running', 'running']);
  });
});
