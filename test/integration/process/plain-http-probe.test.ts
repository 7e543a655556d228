import http from 'node:http';
import net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {HttpProbe} from '../../../src/health/http-probe.js';
import {PlainHttpGetter} from '../../../src/health/plain-http-get.js';
import {CheckCancel} from '../../../src/health/probe.js';

// Issue 13.4: a plain-http probe writes its GET on a TCP socket and reads the status
// line back, instead of going through Node's http client (twice the CPU per check).
// It must send what http.get sent and judge answers as the http client did.
const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

// A raw server: records each request's bytes, answers with `answer` (then closes, or not).
async function rawServer(answer: string, close = true): Promise<{port: number; requests: string[]}> {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (!text.includes('\r\n\r\n')) return;
      requests.push(text);
      if (close) socket.end(answer);
      else socket.write(answer);
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {port: (server.address() as net.AddressInfo).port, requests};
}

const check = (port: number, path = '/healthz', headers: Record<string, string> = {}) =>
  new HttpProbe({kind: 'http', port, path, scheme: 'http', headers}, async () => ({host: '127.0.0.1', port})).check(new CheckCancel()).then(
    () => 'pass',
    (error: Error) => error.message,
  );

describe('plain http probe (issue 13.4)', () => {
  it('sends the request http.get sent', async () => {
    const server = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    await new Promise<void>((resolve, reject) => {
      http.get({host: '127.0.0.1', port: server.port, path: '/healthz?x=1', agent: false}, (response) => {
        response.resume();
        resolve();
      }).on('error', reject);
    });
    expect(await check(server.port, '/healthz?x=1')).toBe('pass');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]).toBe(server.requests[0]);
  });

  it('passes on 2xx and 3xx, fails on the rest with the status, as the http client did', async () => {
    for (const [status, outcome] of [
      [200, 'pass'],
      [204, 'pass'],
      [301, 'pass'],
      [404, 'http GET :PORT/healthz: HTTP 404'],
      [500, 'http GET :PORT/healthz: HTTP 500'],
    ] as const) {
      const server = await rawServer(`HTTP/1.1 ${status} Whatever\r\nContent-Length: 0\r\n\r\n`);
      expect({status, outcome: await check(server.port)}).toEqual({status, outcome: outcome.replace('PORT', String(server.port))});
    }
  });

  it('judges a status line that comes before the rest of the answer, and refuses what is not HTTP', async () => {
    const slow = await rawServer('HTTP/1.0 200 OK\r\n', false);
    expect(await check(slow.port)).toBe('pass');
    const junk = await rawServer('SSH-2.0-OpenSSH_9.2\r\n');
    expect(await check(junk.port)).toMatch(/not an HTTP status line/);
    const silent = await rawServer('');
    expect(await check(silent.port)).toMatch(/socket hang up/);
  });

  it('says ECONNREFUSED for a closed port, and stops at once when aborted', async () => {
    const server = await rawServer('');
    const port = server.port;
    servers.splice(0).forEach((s) => s.close());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await check(port)).toMatch(/ECONNREFUSED/);
    const hanging = await rawServer('', false);
    const cancel = new CheckCancel();
    const pending = new PlainHttpGetter().get('127.0.0.1', hanging.port, '/', cancel);
    cancel.abort();
    await expect(pending).rejects.toThrow(/aborted/);
  });

  it('a check with headers or an unusual path still goes through the http client', async () => {
    const server = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(await check(server.port, '/healthz', {'X-Probe': 'yes'})).toBe('pass');
    expect(server.requests[0]).toContain('X-Probe: yes\r\n');
  });

  it('opens a new connection for every check, through errors, aborts and checks begun before the last socket closed', async () => {
    const connections: string[] = [];
    const server = net.createServer((socket) => {
      connections.push(`${socket.remotePort}`);
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const closedPort = (await rawServer('')).port;
    servers.splice(1).forEach((s) => s.close());
    const hanging = await rawServer('', false);
    const getter = new PlainHttpGetter();
    const get = (to: number, cancel = new CheckCancel()) => getter.get('127.0.0.1', to, '/healthz', cancel).then(String, (error: Error) => error.message);
    const outcomes: string[] = [];
    // Each check waits for the last one's socket to close, so the socket object is reused...
    for (const to of [port, closedPort, port, port]) {
      outcomes.push(await get(to));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const cancel = new CheckCancel();
    const aborted = get(hanging.port, cancel);
    setTimeout(() => cancel.abort(), 20);
    outcomes.push(await aborted);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // ...and these begin while the last one's socket is still closing.
    outcomes.push(await get(port), await get(port), await get(port));
    expect(outcomes).toEqual(['200', expect.stringMatching(/ECONNREFUSED/), '200', '200', 'The operation was aborted', '200', '200', '200']);
    // One connection per check, never one kept open for the next (kubelet's probes, kubernetes#15733).
    expect(connections).toHaveLength(6);
    expect(new Set(connections).size).toBe(6);
  });
});
