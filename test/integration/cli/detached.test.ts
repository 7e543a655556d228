import {readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventsStream, eventually, freePort, project, readJson, survivors, type Project} from './cli-harness.js';

const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  // Never leave a stack behind, whatever the test did.
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

async function demo(): Promise<Project> {
  const [app, proxy] = [await freePort(), await freePort()];
  const p = project(`version: 1
name: demo
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "${app}", NAME: app, SIDECAR_TEST_MARK: "\${MARK}"}
  ports: ["127.0.0.1:${app}:${app}"]
  health: {http: {port: ${app}, path: /healthz}}
  stopTimeout: 2s
sidecars:
  proxy:
    command: [node, \${PROGRAMS}/tcp-proxy.js]
    env: {LISTEN_PORT: "${proxy}", TARGET_PORT: "${app}", SIDECAR_TEST_MARK: "\${MARK}"}
    ports: ["127.0.0.1:${proxy}:${proxy}"]
    health: {tcp: {port: ${proxy}}}
    stopTimeout: 2s
`);
  live.push(p);
  return p;
}

describe('detached stack over the control socket', () => {
  it('up --wait, ps --json in the DESIGN shape, logs, restart, events, down with nothing left', async () => {
    const p = await demo();
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);

    const socket = readJson<{socket: string; pid: number}>(path.join(p.dir, '.sidecar/supervisor.json')).socket;
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(socket).isSocket()).toBe(true);

    const ps = await cli(p, ['ps', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    const parsed = JSON.parse(ps.stdout);
    expect(Object.keys(parsed)).toEqual(['project', 'runtime', 'supervisor', 'services']);
    expect(parsed).toMatchObject({project: 'demo', runtime: 'process', supervisor: {pid: expect.any(Number)}});
    expect(parsed.services.map((s: {name: string}) => s.name)).toEqual(['proxy', 'app']);
    for (const s of parsed.services) {
      // Issue 10: every service carries its pod, in the single form the project's name.
      expect(Object.keys(s)).toEqual(['name', 'pod', 'role', 'state', 'health', 'restarts', 'pid', 'containerId', 'exitCode', 'ports']);
      expect(s).toMatchObject({pod: 'demo', state: 'running', health: 'healthy', restarts: 0, pid: expect.any(Number), containerId: null, exitCode: null});
    }
    const proxyPid = parsed.services[0].pid as number;

    const logs = await cli(p, ['logs', 'app', '--tail', '5']);
    expect(logs.exitCode, logs.all).toBe(0);
    expect(logs.stdout).toMatch(/^app \| listening \d+ on \d+$/m);
    expect(logs.stdout).not.toMatch(/^proxy/m);

    const {stream: events} = await eventsStream(p);
    const restart = await cli(p, ['restart', 'proxy']);
    expect(restart.exitCode, restart.all).toBe(0);
    const after = JSON.parse((await cli(p, ['ps', '--json'])).stdout);
    expect(after.services[0].pid).not.toBe(proxyPid);
    expect(after.services[0].state).toBe('running');
    expect(after.services[1].pid).toBe(parsed.services[1].pid);

    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    const streamed = await events;
    const lines = streamed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((e) => e.service === 'proxy' && e.type === 'state' && e.to === 'stopping')).toBe(true);
    expect(lines.some((e) => e.service === 'proxy' && e.type === 'state' && e.to === 'running')).toBe(true);

    expect(survivors(p.mark)).toEqual([]);
    const offline = JSON.parse((await cli(p, ['ps', '--json'])).stdout);
    expect(offline.supervisor).toBeNull();
  });

  it('`up` on a running stack recreates only the services whose config changed', async () => {
    const p = await demo();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const pids = async () => Object.fromEntries(JSON.parse((await cli(p, ['ps', '--json'])).stdout).services.map((s: {name: string; pid: number}) => [s.name, s.pid]));
    const before = await pids();

    const same = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(same.exitCode, same.all).toBe(0);
    expect(same.stdout).toContain('up to date');
    expect(await pids()).toEqual(before);

    const file = path.join(p.dir, 'sidecar.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('NAME: app,', 'NAME: app2,'));
    const changed = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(changed.exitCode, changed.all).toBe(0);
    expect(changed.stdout).toContain('recreated app');
    const after = await pids();
    expect(after.proxy).toBe(before.proxy);
    expect(after.app).not.toBe(before.app);
    const exec = await cli(p, ['exec', 'app', '--', 'sh', '-c', 'echo "name=$NAME"']);
    expect(exec.stdout).toContain('name=app2');

    // A new published port changes the pod itself: refused, nothing touched.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(app:\n[\s\S]*?)ports: \["127\.0\.0\.1:(\d+):(\d+)"\]/, '$1ports: ["127.0.0.1:$2:$3", "127.0.0.1:1:1"]'));
    const shape = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(shape.exitCode).toBe(5);
    expect(shape.stderr).toContain('SIDECAR_ALREADY_RUNNING');
    expect(shape.stderr).toContain('sidecar down');
    expect(await pids()).toEqual(after);

    // `up SERVICE` converges too (issue 8.12): the same pod change is refused.
    const one = await cli(p, ['up', '-d', '--runtime', 'process', 'proxy']);
    expect(one.exitCode, one.all).toBe(5);
    expect(one.stderr).toContain('SIDECAR_ALREADY_RUNNING');
  });

  it('exec runs CMD in the service environment and exits with its code', async () => {
    const p = await demo();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const exec = await cli(p, ['exec', 'app', '--', 'sh', '-c', 'echo "port=$PORT"; exit 3']);
    expect(exec.stdout).toContain('port=');
    expect(exec.exitCode).toBe(3);
  });

  it('after SIGKILL of the supervisor, down stops every survivor (scanned in /proc)', async () => {
    const p = project(`version: 1
name: crash
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
sidecars:
  stubborn:
    command: [node, \${PROGRAMS}/term-ignorer.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 1s
`);
    live.push(p);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const {pid} = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json'));
    // The supervisor, the app, the term-ignorer and the child it spawns once running.
    await eventually(() => survivors(p.mark).length >= 4, 10_000, 'every process of the stack');
    process.kill(pid, 'SIGKILL');
    await eventually(() => !survivors(p.mark).includes(pid), 5000, 'supervisor gone');
    // app, term-ignorer and its child survive their supervisor.
    expect(survivors(p.mark).length).toBeGreaterThanOrEqual(3);
    const offline = JSON.parse((await cli(p, ['ps', '--json'])).stdout);
    expect(offline.supervisor).toBeNull();
    const started = Date.now();
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toContain('leftover');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('--wait failure exits 5 with the probe error and the last log lines, and leaves nothing', async () => {
    const dead = await freePort();
    const p = project(`version: 1
name: broken
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
sidecars:
  db:
    command: [node, \${PROGRAMS}/forever.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    health: {tcp: {port: ${dead}}, startTimeout: 1s}
`);
    live.push(p);
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(5);
    expect(up.stderr).toContain('SIDECAR_STACK_FAILED');
    expect(up.stderr).toContain('db');
    expect(up.stderr).toMatch(/last (?:\d+ log lines|log line) of db:\n +started \d+ pid \d+/);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('two stacks in two directories do not interfere', async () => {
    const a = await demo();
    const b = await demo();
    expect((await cli(a, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect((await cli(b, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect((await cli(a, ['down'])).exitCode).toBe(0);
    expect(survivors(a.mark)).toEqual([]);
    expect(survivors(b.mark).length).toBeGreaterThanOrEqual(2);
    const ps = JSON.parse((await cli(b, ['ps', '--json'])).stdout);
    expect(ps.services.every((s: {state: string}) => s.state === 'running')).toBe(true);
  });

  it('logs -f delivers every line of a flood, whole and in order per service, then live lines', async () => {
    const p = project(`version: 1
name: flood
startup: parallel
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
sidecars:
  f0: {command: [node, \${PROGRAMS}/flooder.js], env: {LINES: "5000", TAG: f0, SIDECAR_TEST_MARK: "\${MARK}"}, restart: never}
  f1: {command: [node, \${PROGRAMS}/flooder.js], env: {LINES: "5000", TAG: f1, SIDECAR_TEST_MARK: "\${MARK}"}, restart: never}
`);
    live.push(p);
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    const follow = cli(p, ['logs', '-f', 'f0', 'f1']);
    let out = '';
    follow.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => out.split('\n').length > 10_000, 30_000, 'all lines');
    follow.kill('SIGTERM');
    await follow;
    for (const tag of ['f0', 'f1']) {
      const numbers = out
        .split('\n')
        .filter((line) => line.startsWith(`${tag} |`))
        .map((line) => /^f\d \| (f\d) (\d+) \.+$/.exec(line))
        .map((m) => (m && m[1] === tag ? Number(m[2]) : -1));
      expect(numbers).toEqual(Array.from({length: 5000}, (_v, i) => i));
    }
    const tail = await cli(p, ['logs', 'f1', '--tail', '2']);
    expect(tail.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('falls back to a short socket path when .sidecar/control.sock would be too long', async () => {
    const p = project(
      `version: 1
name: deep
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
`,
      path.join('/tmp', 'a-rather-long-directory-name-'.repeat(3)),
    );
    live.push(p);
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    const {socket} = readJson<{socket: string}>(path.join(p.dir, '.sidecar/supervisor.json'));
    expect(socket.startsWith(path.join(p.dir, '.sidecar'))).toBe(false);
    expect(Buffer.byteLength(socket)).toBeLessThan(100);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect((await cli(p, ['ps', '--json'])).exitCode).toBe(0);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });
});
