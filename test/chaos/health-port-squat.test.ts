import {spawn, type ChildProcess} from 'node:child_process';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {cli, ensureBuilt, eventually, freePort, programs, project, survivors, type Project} from '../integration/cli/cli-harness.js';

// Issue 8.3: a port held by another program was reported ready under the process
// runtime: the squatter answered the probe while our sidecar crash-looped on
// EADDRINUSE, and `up --wait` exited 0 with a broken stack. Now the port is
// checked before the service starts: exit 5 naming the port, the service and
// the holder, and nothing left running.
const live: Project[] = [];
const squatters: ChildProcess[] = [];
beforeAll(() => ensureBuilt(), 180_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
  for (const squatter of squatters.splice(0)) squatter.kill('SIGKILL');
});

// Someone else's listener: a plain node server, not started by sidecar, that
// tries to bind every 5ms until it has the port.
const SQUATTER = `const net = require('net');
console.log('trying');
(function bind() {
  const server = net.createServer((s) => s.end());
  server.once('error', () => setTimeout(bind, 5));
  server.listen(Number(process.argv[1]), process.argv[2], () => console.log('up'));
})();`;

// `trying`: its Node has started and it tries to bind (every 5ms from then on); `bound`: it holds the port.
function startSquatter(port: number, host: string): {pid: number; trying: Promise<void>; bound: Promise<void>} {
  const child = spawn(process.execPath, ['-e', SQUATTER, String(port), host], {stdio: ['ignore', 'pipe', 'inherit']});
  squatters.push(child);
  const lines: string[] = [];
  let partial = '';
  const waiting: {word: string; resolve: () => void}[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of waiting.filter((entry) => lines.includes(entry.word))) w.resolve();
  });
  const seen = (word: string) => new Promise<void>((resolve, reject) => {
    waiting.push({word, resolve});
    child.once('exit', (code) => reject(new Error(`squatter exited ${code}`)));
  });
  return {pid: child.pid!, trying: seen('trying'), bound: seen('up')};
}

async function squat(port: number, host: string): Promise<number> {
  const squatter = startSquatter(port, host);
  await squatter.bound;
  return squatter.pid;
}

describe('chaos: a port squatted by a foreign listener (process runtime)', () => {
  it.each([
    ['a sidecar port probed over tcp', '127.0.0.1', 'tcp'],
    ['an app port probed over http, squatted on all addresses', '0.0.0.0', 'http'],
  ])('%s: up --wait exits 5 naming the port, the service and the holder; nothing left running', async (_name, host, kind) => {
    const [appPort, proxyPort] = [await freePort(), await freePort()];
    const squatted = kind === 'tcp' ? proxyPort : appPort;
    const holder = await squat(squatted, host);
    const p = project(`version: 1
name: squat
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "${appPort}", SIDECAR_TEST_MARK: "\${MARK}"}
  ports: ["${appPort}:${appPort}"]
  health: {http: {port: ${appPort}, path: /healthz}, startTimeout: 20s}
  stopTimeout: 2s
sidecars:
  proxy:
    command: [node, \${PROGRAMS}/tcp-proxy.js]
    env: {LISTEN_PORT: "${proxyPort}", TARGET_PORT: "${appPort}", SIDECAR_TEST_MARK: "\${MARK}"}
    ports: ["${proxyPort}:${proxyPort}"]
    health: {tcp: {port: ${proxyPort}}, startTimeout: 20s}
    stopTimeout: 2s
`);
    live.push(p);
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    console.log(`${kind}: up --wait exit ${up.exitCode}`);
    expect(up.exitCode, up.all).toBe(5);
    const service = kind === 'tcp' ? 'proxy' : 'app';
    expect(up.all).toMatch(new RegExp(`"${service}" cannot start: port ${squatted}/tcp`));
    expect(up.all).toContain(`in use by pid ${holder} (`);
    expect(up.all).toMatch(/stop that program, or change the port/);
    // Once, as the fix line; not also repeated inside the message.
    expect(up.all.split('stop that program').length - 1, up.all).toBe(1);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing of the stack left running');
  }, 120_000);

  it('its own earlier instance does not count: `up` recreating a changed service and `restart` start it again', async () => {
    const appPort = await freePort();
    const manifest = (name: string): string => `version: 1
name: own
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "${appPort}", NAME: ${name}, SIDECAR_TEST_MARK: "\${MARK}"}
  ports: ["${appPort}:${appPort}"]
  health: {http: {port: ${appPort}, path: /healthz}}
  stopTimeout: 2s
`;
    const p = project(manifest('first'));
    live.push(p);
    const first = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(first.exitCode, first.all).toBe(0);
    writeFileSync(path.join(p.dir, 'sidecar.yaml'), manifest('second').replaceAll('${MARK}', p.mark).replaceAll('${PROGRAMS}', programs));
    const second = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(second.exitCode, second.all).toBe(0);
    const restart = await cli(p, ['restart', 'app']);
    expect(restart.exitCode, restart.all).toBe(0);
    const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: {name: string; state: string; health: string}[]};
    expect(ps.services.map((s) => [s.name, s.state, s.health])).toEqual([['app', 'running', 'healthy']]);
    const reply = await fetch(`http://127.0.0.1:${appPort}/`).then((r) => r.text());
    expect(reply).toBe('hello from second\n');
  }, 120_000);

  it('a port taken while the sidecar is down: its restart is refused and says by whom, the squatter never makes it ready', async () => {
    const [appPort, proxyPort] = [await freePort(), await freePort()];
    const p = project(`version: 1
name: later
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 2s
sidecars:
  proxy:
    command: [node, \${PROGRAMS}/tcp-proxy.js]
    env: {LISTEN_PORT: "${proxyPort}", TARGET_PORT: "${appPort}", SIDECAR_TEST_MARK: "\${MARK}"}
    ports: ["${proxyPort}:${proxyPort}"]
    health: {tcp: {port: ${proxyPort}}}
    stopTimeout: 2s
`);
    live.push(p);
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const ps = async () => JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: {name: string; state: string; pid: number | null}[]};
    const proxyPid = (await ps()).services[0]!.pid!;
    // The squatter waits for the port; the proxy dies; the squatter has it before the restart.
    // Its Node must be up first: under load it took longer to start than the backoff. And
    // the supervisor is stopped until the squatter has the port, so the restart (250ms
    // backoff) cannot win the port on a loaded machine: the kernel frees it at the kill.
    const squatter = startSquatter(proxyPort, '127.0.0.1');
    await squatter.trying;
    const supervisor = (JSON.parse(readFileSync(path.join(p.dir, '.sidecar/supervisor.json'), 'utf8')) as {pid: number}).pid;
    process.kill(supervisor, 'SIGSTOP');
    try {
      process.kill(proxyPid, 'SIGKILL');
      await squatter.bound;
    } finally {
      process.kill(supervisor, 'SIGCONT');
    }
    await eventually(async () => (await ps()).services[0]!.state === 'failed', 20_000, 'the proxy restart to be refused');
    const state = JSON.parse(readFileSync(path.join(p.dir, '.sidecar/state.json'), 'utf8')) as {services: {name: string; lastError?: string}[]};
    expect(state.services[0]!.lastError).toContain(`port ${proxyPort}/tcp (in its ports) is already in use by pid ${squatter.pid} (`);
    // Never reported ready on the squatter's answers.
    expect((await ps()).services[0]!.state).toBe('failed');
  }, 120_000);
});
