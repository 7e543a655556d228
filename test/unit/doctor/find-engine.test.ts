import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {candidateEndpoints, type DockerEndpoint} from '../../../src/runtime/engine/endpoint.js';
import {describeEngine, describeNoEngine, exportEndpoint, findEngine} from '../../../src/runtime/engine/find.js';
import {pingDocker} from '../../../src/runtime/engine/ping.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-find-engine-'));
const servers: http.Server[] = [];
afterAll(() => {
  servers.forEach((s) => s.close());
  rmSync(dir, {recursive: true, force: true});
});

// Stand-in engines: real HTTP servers on unix sockets answering /_ping with the
// headers the real engines send (captured from dockerd 20.10 and podman 4.3).
async function engineAt(socketPath: string, headers: Record<string, string>, delayMs = 0, info: object = {SecurityOptions: ['name=seccomp,profile=default']}): Promise<void> {
  mkdirSync(path.dirname(socketPath), {recursive: true});
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      if (req.url === '/_ping') res.writeHead(200, headers).end('OK');
      else if (req.url === '/info') res.end(JSON.stringify(info));
      else res.writeHead(404).end();
    }, delayMs);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
}
const DOCKER = {'Api-Version': '1.41', Server: 'Docker/20.10.24+dfsg1 (linux)'};
const PODMAN = {'Api-Version': '1.41', 'Libpod-Api-Version': '4.3.1', Server: 'Libpod/4.3.1 (linux)'};
const unix = (socketPath: string, source: 'default' | 'rootless Docker' | 'podman (rootless)' | 'podman (rootful)'): DockerEndpoint => ({kind: 'unix', socketPath, url: `unix://${socketPath}`, source});

describe('candidateEndpoints (issue 15.3)', () => {
  it('DOCKER_HOST alone when set: an explicit choice is never second-guessed', () => {
    expect(candidateEndpoints({DOCKER_HOST: 'unix:///x/podman.sock', XDG_RUNTIME_DIR: '/run/user/1000'}).map((e) => e.url)).toEqual(['unix:///x/podman.sock']);
  });

  it('else the Docker socket, rootless Docker, rootless podman, rootful podman, in that order', () => {
    expect(candidateEndpoints({XDG_RUNTIME_DIR: '/run/user/1000'}).map((e) => [e.url, e.source])).toEqual([
      ['unix:///var/run/docker.sock', 'default'],
      ['unix:///run/user/1000/docker.sock', 'rootless Docker'],
      ['unix:///run/user/1000/podman/podman.sock', 'podman (rootless)'],
      ['unix:///run/podman/podman.sock', 'podman (rootful)'],
    ]);
  });

  it('without XDG_RUNTIME_DIR looks where systemd puts it for this uid', () => {
    expect(candidateEndpoints({})[1]!.url).toBe(`unix:///run/user/${os.userInfo().uid}/docker.sock`);
  });
});

describe('pingDocker names the engine from the ping headers, without the slow /version', () => {
  it('Docker and podman', async () => {
    await engineAt(path.join(dir, 'd.sock'), DOCKER);
    await engineAt(path.join(dir, 'p.sock'), PODMAN);
    expect(await pingDocker(unix(path.join(dir, 'd.sock'), 'default'))).toMatchObject({ok: true, engine: 'docker', version: '20.10.24+dfsg1', apiVersion: '1.41'});
    expect(await pingDocker(unix(path.join(dir, 'p.sock'), 'podman (rootful)'))).toMatchObject({ok: true, engine: 'podman', version: '4.3.1'});
  });

  it('rootless: from /info when asked for details, and always for a socket under the runtime dir', async () => {
    await engineAt(path.join(dir, 'rl.sock'), DOCKER, 0, {SecurityOptions: ['name=seccomp,profile=default', 'name=rootless', 'name=cgroupns']});
    expect(await pingDocker(unix(path.join(dir, 'rl.sock'), 'default'), {details: true})).toMatchObject({engine: 'docker-rootless'});
    expect(await pingDocker(unix(path.join(dir, 'rl.sock'), 'default'))).toMatchObject({engine: 'docker'});
    expect(await pingDocker(unix(path.join(dir, 'rl.sock'), 'rootless Docker'))).toMatchObject({engine: 'docker-rootless'});
  });
});

describe('findEngine', () => {
  it('the first candidate in order that answers wins, even when a later one answers sooner', async () => {
    const slowDocker = path.join(dir, 'slow', 'docker.sock');
    const podman = path.join(dir, 'fast', 'podman.sock');
    await engineAt(slowDocker, DOCKER, 150);
    await engineAt(podman, PODMAN);
    const missing = unix(path.join(dir, 'none.sock'), 'default');
    const found = await findEngine({}, {candidates: [missing, unix(slowDocker, 'rootless Docker'), unix(podman, 'podman (rootful)')]});
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    expect(found.status).toMatchObject({endpoint: `unix://${slowDocker}`, engine: 'docker-rootless'});
    expect(describeEngine(found.status)).toBe(`rootless Docker 20.10.24+dfsg1 at unix://${slowDocker}`);
    expect(found.looked.map((s) => s.ok)).toEqual([false, true, true]);
    const env: NodeJS.ProcessEnv = {};
    exportEndpoint(found, env);
    expect(env.DOCKER_HOST).toBe(`unix://${slowDocker}`);
  });

  it('none answering names every place looked at, within the deadline', async () => {
    const started = Date.now();
    const found = await findEngine({}, {candidates: [unix(path.join(dir, 'a.sock'), 'default'), unix(path.join(dir, 'b.sock'), 'podman (rootful)')], timeoutMs: 300});
    expect(Date.now() - started).toBeLessThan(5000);
    expect(found.ok).toBe(false);
    expect(describeNoEngine(found.looked)).toBe(`no Docker engine answers: unix://${dir}/a.sock (default): ${dir}/a.sock does not exist (no engine running here?); unix://${dir}/b.sock (podman (rootful)): ${dir}/b.sock does not exist (no engine running here?)`);
  });

  it('the default socket found is not exported: every client looks there anyway', async () => {
    const socket = path.join(dir, 'default.sock');
    await engineAt(socket, DOCKER);
    const found = await findEngine({}, {candidates: [unix(socket, 'default')]});
    const env: NodeJS.ProcessEnv = {};
    if (found.ok) exportEndpoint(found, env);
    expect(found.ok).toBe(true);
    expect(env.DOCKER_HOST).toBeUndefined();
  });
});
