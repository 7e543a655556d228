import {mkdtempSync, rmSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, describe, expect, it} from 'vitest';
import {describeRequest, fromEngineError} from '../../../src/errors/index.js';
import {toSidecarError} from '../../../src/commands/base-command.js';
import {toWireError} from '../../../src/host/control/wire-error.js';
import {annotateRequests} from '../../../src/runtime/docker/engine-request.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-engine-error-'));
const servers: http.Server[] = [];
afterAll(() => {
  servers.forEach((s) => s.close());
  rmSync(dir, {recursive: true, force: true});
});

// An engine that refuses as podman 4.3 does (a 500 with its own words), on a
// unix socket, reached through a real dockerode client.
async function refusingEngine(): Promise<Docker> {
  const socketPath = path.join(dir, `e${servers.length}.sock`);
  const server = http.createServer((req, res) => {
    if (req.url?.includes('/kill')) {
      res.writeHead(500, {'content-type': 'application/json'}).end(JSON.stringify({cause: 'container state improper', message: 'can only kill running containers. 87a58494bb44 is in state exited: container state improper', response: 500}));
    } else res.writeHead(404, {'content-type': 'application/json'}).end(JSON.stringify({message: 'no such container'}));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return annotateRequests(new Docker({socketPath}));
}

describe('engine errors are errors, not bugs (issue 15.4)', () => {
  it('names what was asked, of which container, and what the engine said; exit 5', async () => {
    const docker = await refusingEngine();
    const id = '87a58494bb44322354c2790f7a17d8943fb394299af22a6758e66d7ed9987e5a';
    const raw = await docker.getContainer(id).kill({signal: 'SIGKILL'}).catch((e: unknown) => e);
    const error = toSidecarError(raw);
    expect(error.code).toBe('SIDECAR_ENGINE_REFUSED');
    expect(error.exitCode).toBe(5);
    expect(error.message).toBe('the engine refused to kill container 87a58494bb44 (HTTP 500): can only kill running containers. 87a58494bb44 is in state exited: container state improper');
    expect(error.suggestion).not.toContain('bug');
    // The same words when the supervisor hit it and sends it over the control socket.
    expect(toWireError(raw)).toMatchObject({code: 'SIDECAR_ENGINE_REFUSED', exitCode: 5, message: error.message});
  });

  it('an engine that goes away mid-request is exit 4, not a bug', async () => {
    const docker = annotateRequests(new Docker({socketPath: path.join(dir, 'gone.sock')}));
    const raw = await docker.getContainer('abc').start().catch((e: unknown) => e);
    expect(fromEngineError(raw)).toMatchObject({code: 'SIDECAR_RUNTIME_UNAVAILABLE', exitCode: 4, message: 'the engine stopped answering while asked to start container abc (ENOENT)'});
  });

  it('an error without an engine request is left to the other translations', () => {
    expect(fromEngineError(new Error('x'))).toBeUndefined();
    expect(fromEngineError(Object.assign(new Error('(HTTP code 500)'), {statusCode: 500}))).toBeUndefined();
  });

  it.each([
    [{method: 'POST', path: '/containers/create?name=shop_app'}, 'create container shop_app'],
    [{method: 'POST', path: '/v1.41/containers/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/stop?t=10'}, 'stop container 0123456789ab'],
    [{method: 'DELETE', path: '/containers/shop_app?force=true&v=true'}, 'remove container shop_app'],
    [{method: 'GET', path: '/containers/shop_app/json'}, 'inspect container shop_app'],
    [{method: 'PUT', path: '/containers/shop_app/archive?path=%2Fapp'}, 'copy files into container shop_app'],
    [{method: 'POST', path: '/images/create?fromImage=nginx&tag=1.27'}, 'pull image nginx:1.27'],
    [{method: 'POST', path: '/build?t=shop-app%3Adev'}, 'build image shop-app:dev'],
    [{method: 'DELETE', path: '/networks/shop_default'}, 'remove network shop_default'],
    [{method: 'DELETE', path: '/volumes/shop_data'}, 'remove volume shop_data'],
    [{method: 'GET', path: '/_ping'}, 'GET /_ping'],
  ])('describeRequest %j', (request, words) => {
    expect(describeRequest(request)).toBe(words);
  });
});
