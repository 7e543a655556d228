import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {dockerEndpoint} from '../../../src/runtime/engine/endpoint.js';
import {pingDocker} from '../../../src/runtime/engine/ping.js';
import {findOnPath, toolStatus} from '../../../src/doctor/tools.js';
import {runDoctor} from '../../../src/doctor/doctor.js';
import {formatReport} from '../../../src/doctor/format-report.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-doctor-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('dockerEndpoint', () => {
  it('reads DOCKER_HOST, else the default socket', () => {
    expect(dockerEndpoint({})).toMatchObject({kind: 'unix', socketPath: '/var/run/docker.sock', source: 'default'});
    expect(dockerEndpoint({DOCKER_HOST: 'unix:///run/user/1000/docker.sock'})).toMatchObject({kind: 'unix', socketPath: '/run/user/1000/docker.sock', source: 'DOCKER_HOST'});
    expect(dockerEndpoint({DOCKER_HOST: 'tcp://127.0.0.1:2375'})).toMatchObject({kind: 'tcp', host: '127.0.0.1', port: 2375, tls: false});
    expect(dockerEndpoint({DOCKER_HOST: 'tcp://[::1]', DOCKER_TLS_VERIFY: '1'})).toMatchObject({kind: 'tcp', host: '::1', port: 2376, tls: true});
    expect(dockerEndpoint({DOCKER_HOST: 'ssh://me@box'})).toMatchObject({kind: 'unsupported'});
  });
});

// A stand-in engine: a real HTTP server on a unix socket that answers the two calls doctor makes.
async function fakeEngine(socketPath: string, handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return server;
}

describe('pingDocker', () => {
  it('reports the version of an engine that answers', async () => {
    const socketPath = path.join(dir, 'engine.sock');
    const server = await fakeEngine(socketPath, (req, res) => {
      if (req.url === '/_ping') res.end('OK');
      else if (req.url === '/version') res.end(JSON.stringify({Version: '27.1.0', ApiVersion: '1.46'}));
      else res.writeHead(404).end();
    });
    try {
      const status = await pingDocker(dockerEndpoint({DOCKER_HOST: `unix://${socketPath}`}));
      expect(status).toEqual({endpoint: `unix://${socketPath}`, source: 'DOCKER_HOST', ok: true, engine: 'docker', version: '27.1.0', apiVersion: '1.46'});
    } finally {
      server.close();
    }
  });

  it('says where it looked when nothing is there', async () => {
    const socketPath = path.join(dir, 'missing.sock');
    const status = await pingDocker(dockerEndpoint({DOCKER_HOST: `unix://${socketPath}`}));
    expect(status.ok).toBe(false);
    expect(status.error).toBe(`${socketPath} does not exist (no engine running here?)`);
  });

  it('gives up on an engine that never answers, within its deadline', async () => {
    const socketPath = path.join(dir, 'silent.sock');
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const started = Date.now();
      const status = await pingDocker(dockerEndpoint({DOCKER_HOST: socketPath}), 200);
      expect(status.ok).toBe(false);
      expect(status.error).toContain('no answer within 200ms');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });

  it('reports an engine that answers the ping with an error', async () => {
    const socketPath = path.join(dir, 'sick.sock');
    const server = await fakeEngine(socketPath, (_req, res) => res.writeHead(500).end('daemon is shutting down'));
    try {
      const status = await pingDocker(dockerEndpoint({DOCKER_HOST: `unix://${socketPath}`}));
      expect(status).toMatchObject({ok: false, error: 'GET /_ping answered 500: daemon is shutting down'});
    } finally {
      server.close();
    }
  });
});

describe('tools on PATH', () => {
  const bin = path.join(dir, 'bin');
  const tool = (name: string, script: string): void => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };

  it('finds executables, reads their version, and says when a tool is missing or broken', async () => {
    rmSync(bin, {recursive: true, force: true});
    mkdirSync(bin);
    tool('podman', 'echo "podman version 4.3.1"');
    tool('kubectl', 'echo "Client Version: v1.30.2"; echo "Kustomize Version: v5.0.4"');
    tool('broken', 'echo "segfault" >&2; exit 3');
    writeFileSync(path.join(bin, 'not-executable'), 'x');
    const env = {PATH: `${path.join(dir, 'nowhere')}:${bin}`};
    expect(findOnPath('not-executable', env.PATH)).toBeUndefined();
    expect(await toolStatus('podman', ['--version'], env)).toEqual({name: 'podman', found: true, path: path.join(bin, 'podman'), version: '4.3.1'});
    expect(await toolStatus('kubectl', ['version', '--client'], env)).toMatchObject({version: '1.30.2'});
    expect(await toolStatus('broken', ['--version'], env)).toMatchObject({found: true, error: '`broken --version` failed: segfault'});
    expect(await toolStatus('docker-compose', ['--version'], env)).toEqual({name: 'docker-compose', found: false});
  });
});

// Found by a new user's trial: doctor said Docker was "ok" where the first Docker
// `up` failed to pull the pod's infra image (offline). It now says whether that
// image is on the engine, and how to pick another.
describe('doctor: the pod infra image', () => {
  it('says whether the infra image is on the engine, the default or SIDECAR_INFRA_IMAGE', async () => {
    const socketPath = path.join(dir, 'images.sock');
    const asked: string[] = [];
    const server = await fakeEngine(socketPath, (req, res) => {
      if (req.url === '/_ping') res.end('OK');
      else if (req.url === '/version') res.end(JSON.stringify({Version: '27.1.0', ApiVersion: '1.46'}));
      else if (req.url?.startsWith('/images/')) {
        asked.push(decodeURIComponent(req.url));
        res.writeHead(req.url.includes('local%2Fpause') ? 200 : 404).end('{}');
      } else res.writeHead(404).end();
    });
    try {
      const missing = await runDoctor({DOCKER_HOST: `unix://${socketPath}`, PATH: ''}, 1000);
      expect(missing.infra).toEqual({image: 'registry.k8s.io/pause:3.9', fromEnv: false, present: false});
      expect(formatReport(missing)).toContain('pod infra image registry.k8s.io/pause:3.9 is not on the engine: the first Docker `up` pulls it');
      const local = await runDoctor({DOCKER_HOST: `unix://${socketPath}`, PATH: '', SIDECAR_INFRA_IMAGE: 'local/pause:1'}, 1000);
      expect(local.infra).toEqual({image: 'local/pause:1', fromEnv: true, present: true});
      expect(formatReport(local)).toContain('pod infra image local/pause:1 is on the engine (SIDECAR_INFRA_IMAGE)');
      expect(asked).toEqual(['/images/registry.k8s.io/pause:3.9/json', '/images/local/pause:1/json']);
    } finally {
      server.close();
    }
  });
});
