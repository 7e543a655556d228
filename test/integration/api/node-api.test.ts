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
