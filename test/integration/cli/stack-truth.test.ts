import {mkdtempSync, rmSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {appAndSidecar, cli, eventsStream, eventually, project, readJson, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 8 point 12 (the small ones of the commands): each shows what is true.
const track = trackProjects();

interface PsService {
  name: string;
  state: string;
  pid: number | null;
}

const stack = (): Project => track(project(appAndSidecar('truth')));

async function ps(p: Project): Promise<{supervisor: unknown; services: PsService[]}> {
  const result = await cli(p, ['ps', '--json']);
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as {supervisor: unknown; services: PsService[]};
}

const byName = (services: PsService[]): Record<string, PsService> => Object.fromEntries(services.map((s) => [s.name, s]));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('what ps, exec, up, logs -f and events say is true', () => {
  it('exec of a command that does not exist is 127, as in a shell', async () => {
    const p = stack();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const missing = await cli(p, ['exec', 'app', '--', 'no-such-command-sidecar-test']);
    expect(missing.exitCode, missing.all).toBe(127);
    expect(missing.stderr).toContain('no-such-command-sidecar-test');
  });

  it('ps of a stack never started names the runtime a plain `up` would pick, not always process', async () => {
    // A new user's trial: a manifest with an image and a command per service showed
    // "(process)" while `up` (auto) would start it under the Docker engine that answers.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-ps-engine-'));
    const socketPath = path.join(dir, 'engine.sock');
    const engine = http.createServer((req, res) => {
      res.writeHead(200, {server: 'Docker/20.10.24 (linux)', 'api-version': '1.41'});
      res.end(req.url === '/_ping' ? 'OK' : '{}');
    });
    await new Promise<void>((resolve) => engine.listen(socketPath, () => resolve()));
    try {
      const p = track(project('version: 1\nname: both\napp: {image: "sidecar-test/busybox:1", command: [sleep, "100"]}\n'));
      const runtimeWith = async (env: Record<string, string>): Promise<string> => {
        const result = await cli({...p, env: {...p.env, ...env}}, ['ps', '--json']);
        expect(result.exitCode, result.all).toBe(0);
        return (JSON.parse(result.stdout) as {runtime: string}).runtime;
      };
      expect(await runtimeWith({DOCKER_HOST: `unix://${socketPath}`})).toBe('docker');
      expect(await runtimeWith({DOCKER_HOST: `unix://${path.join(dir, 'none.sock')}`})).toBe('process');
      expect(await runtimeWith({DOCKER_HOST: `unix://${socketPath}`, SIDECAR_RUNTIME: 'process'})).toBe('process');
      const table = await cli({...p, env: {...p.env, DOCKER_HOST: `unix://${socketPath}`}}, ['ps']);
      expect(table.stdout).toContain('both (docker) no supervisor running');
    } finally {
      await new Promise<void>((resolve) => engine.close(() => resolve()));
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('ps after down shows every service exited; never started, pending', async () => {
    const p = stack();
    expect(Object.values(byName((await ps(p)).services)).map((s) => s.state)).toEqual(['pending', 'pending']);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    const after = await ps(p);
    expect(after.supervisor).toBeNull();
    for (const s of after.services) expect(s, s.name).toMatchObject({state: 'exited', pid: null});
  });

  it('ps after the supervisor was SIGKILLed shows the survivors running (by identity) and the dead exited', async () => {
    const p = stack();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const before = byName((await ps(p)).services);
    const {pid: supervisor} = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json'));
    process.kill(supervisor, 'SIGKILL');
    await eventually(() => !survivors(p.mark).includes(supervisor), 10_000, 'supervisor gone');
    // The proxy dies with it (its whole group); the app survives.
    process.kill(-before.proxy!.pid!, 'SIGKILL');
    await eventually(() => !alive(before.proxy!.pid!), 10_000, 'proxy gone');
    const after = await ps(p);
    expect(after.supervisor).toBeNull();
    const services = byName(after.services);
    expect(services.app).toMatchObject({state: 'running', pid: before.app!.pid});
    expect(services.proxy).toMatchObject({state: 'exited', pid: null});
    const table = await cli(p, ['ps']);
    expect(table.stdout).toContain('sidecar down');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('up app after up proxy starts the app and leaves the proxy alone', async () => {
    const p = stack();
    const first = await cli(p, ['up', '--wait', '--runtime', 'process', 'proxy']);
    expect(first.exitCode, first.all).toBe(0);
    const before = byName((await ps(p)).services);
    expect(before.proxy!.state).toBe('running');
    expect(before.app!.state).toBe('pending');
    const second = await cli(p, ['up', '--wait', '--runtime', 'process', 'app']);
    expect(second.exitCode, second.all).toBe(0);
    expect(second.stdout).toContain('started app');
    const after = byName((await ps(p)).services);
    expect(after.app!.state).toBe('running');
    expect(after.proxy).toMatchObject({state: 'running', pid: before.proxy!.pid});
    // Once everything runs, naming a running service changes nothing.
    const again = await cli(p, ['up', '-d', '--runtime', 'process', 'app']);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stdout).toContain('up to date');
    expect(byName((await ps(p)).services).app!.pid).toBe(after.app!.pid);
  });

  it('logs -f and events end with exit 0 when the stack is brought down', async () => {
    const p = stack();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    // events has no backlog: it must be connected before the stack stops.
    const {stream: events} = await eventsStream(p, undefined, false);
    const follow = cli(p, ['logs', '-f']);
    let followed = '';
    follow.stdout!.on('data', (chunk: Buffer) => (followed += chunk.toString()));
    await eventually(() => /^app +\| started/m.test(followed), 15_000, 'logs -f streaming');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    const [f, e] = await Promise.all([follow, events]);
    expect(f.exitCode, f.all).toBe(0);
    expect(e.exitCode, e.all).toBe(0);
    expect(e.stdout).toMatch(/ truth stack stopped$/m);
  });
});
