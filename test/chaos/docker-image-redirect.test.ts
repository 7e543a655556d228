import {mkdtempSync, rmSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {annotateRequests} from '../../src/runtime/docker/engine-request.js';
import {cli, ensureBuilt, project} from '../integration/cli/cli-harness.js';

// Found by an attacker's trial: an image named "../../localhost/steal" went into
// the engine's URL path; the engine cleaned the path and answered 301, and
// docker-modem followed the Location to another host (a blind request where the
// manifest pointed), then crashed the supervisor on that request's unhandled
// error, leaving the pod's infra container running. A fake engine on a unix
// socket answers every request with a redirect to a TCP server of the test's:
// nothing may reach that server. The manifest's image is refused before any
// engine is asked; and a redirect, should an engine answer one, is an error.
beforeAll(() => ensureBuilt(), 120_000);
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function listen(server: http.Server, at: string | number): Promise<void> {
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return new Promise((resolve) => server.listen(at as number, '127.0.0.1', () => resolve()));
}

// A server elsewhere that records what reaches it, and an engine that redirects every request there.
async function redirectingEngine(): Promise<{socketPath: string; asked: string[]; reached: string[]}> {
  const reached: string[] = [];
  const asked: string[] = [];
  const elsewhere = http.createServer((req, res) => {
    reached.push(`${req.headers.host} ${req.url}`);
    res.end('{}');
  });
  await listen(elsewhere, 0);
  const port = (elsewhere.address() as {port: number}).port;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-redirect-'));
  closers.push(async () => rmSync(dir, {recursive: true, force: true}));
  const socketPath = path.join(dir, 'engine.sock');
  const engine = http.createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    res.writeHead(301, {location: `http://127.0.0.1:${port}/steal/json`});
    res.end();
  });
  await new Promise<void>((resolve) => engine.listen(socketPath, () => resolve()));
  closers.push(() => new Promise((resolve) => engine.close(() => resolve())));
  return {socketPath, asked, reached};
}

describe('chaos: an image name that walks out of the engine API\'s path', () => {
  it('`up` refuses it at its line (exit 3) before any engine is asked', async () => {
    const {socketPath, asked, reached} = await redirectingEngine();
    const p = project('version: 1\nname: steal\napp: {image: "../../localhost/steal", command: [sleep, "100"]}\n');
    const up = await cli({...p, env: {...p.env, DOCKER_HOST: `unix://${socketPath}`}}, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(3);
    expect(up.all).toContain('sidecar.yaml:3:14 app.image');
    expect(up.all).toContain('holds a "." or ".." path part');
    expect(asked.filter((request) => request.includes('steal'))).toEqual([]);
    expect(reached).toEqual([]);
  });

  it('a 301 from the engine is an error of the call, and no request goes where it points', async () => {
    const {socketPath, reached} = await redirectingEngine();
    const docker = annotateRequests(new Docker({socketPath}));
    const error = await docker.getImage('busybox').inspect().then(() => undefined, (caught: unknown) => caught as Error);
    // Give a followed request time to arrive, were it sent.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reached).toEqual([]);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/redirect/i);
  });
});
