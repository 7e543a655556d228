import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {HttpProbe} from '../../../src/health/http-probe.js';
import {CheckCancel} from '../../../src/health/probe.js';

// An https check (and an http one with headers) goes through Node's clients,
// loaded on first use (issue 13.1): against a real TLS server with a
// self-signed certificate it passes on 2xx/3xx and fails on 5xx, without
// verifying the certificate, as the kubelet's HTTPS probe does.
const tls = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/tls');
const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const answer = (request: http.IncomingMessage, response: http.ServerResponse): void => {
  response.writeHead(request.url === '/ok' && request.headers['x-probe'] === 'yes' ? 204 : 503).end();
};

const check = (scheme: 'http' | 'https', port: number, urlPath: string) =>
  new HttpProbe({kind: 'http', port, path: urlPath, scheme, headers: {'X-Probe': 'yes'}}, async () => ({host: '127.0.0.1', port})).check(new CheckCancel()).then(
    () => 'pass',
    (error: Error) => error.message,
  );

describe('http probes through Node clients', () => {
  it('https: passes on 204 from a self-signed server, fails on 503', async () => {
    const port = await listen(https.createServer({key: readFileSync(path.join(tls, 'self-signed.key')), cert: readFileSync(path.join(tls, 'self-signed.crt'))}, answer));
    expect(await check('https', port, '/ok')).toBe('pass');
    expect(await check('https', port, '/down')).toMatch(/HTTP 503/);
  });

  it('http with headers: passes on 204, fails on 503', async () => {
    const port = await listen(http.createServer(answer));
    expect(await check('http', port, '/ok')).toBe('pass');
    expect(await check('http', port, '/down')).toMatch(/HTTP 503/);
  });
});
