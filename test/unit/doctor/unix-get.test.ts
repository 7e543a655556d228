import {mkdtempSync, rmSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {parseAnswer, unixGet, unixRequest} from '../../../src/runtime/engine/unix-get.js';

// The engine check's GET without node:http (issue 13.2): what real HTTP servers
// send over a unix socket, whole, chunked, or cut short.
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-unix-get-'));
const servers: net.Server[] = [];
afterAll(() => {
  servers.forEach((s) => s.close());
  rmSync(dir, {recursive: true, force: true});
});

async function serve(name: string, server: net.Server): Promise<string> {
  const socketPath = path.join(dir, name);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return socketPath;
}

describe('unixGet', () => {
  it('reads a Content-Length answer and a chunked one from node:http servers, headers lower-cased', async () => {
    const socketPath = await serve('http.sock', http.createServer((req, res) => {
      if (req.url === '/_ping') res.writeHead(200, {'Api-Version': '1.41', Server: 'Docker/20.10.24 (linux)', 'Content-Length': '2'}).end('OK');
      else {
        res.writeHead(200, {'Content-Type': 'application/json'});
        res.write('{"SecurityOptions":');
        res.end('["name=rootless"]}');
      }
    }));
    expect(await unixGet(socketPath, '/_ping', 1000)).toMatchObject({status: 200, body: 'OK', headers: {'api-version': '1.41', server: 'Docker/20.10.24 (linux)'}});
    const info = await unixGet(socketPath, '/info', 1000);
    expect(info.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(info.body)).toEqual({SecurityOptions: ['name=rootless']});
  });

  it('says so when nobody answers in time, and when the connection ends before the answer', async () => {
    const silent = await serve('silent.sock', net.createServer(() => undefined));
    await expect(unixGet(silent, '/_ping', 100)).rejects.toThrow('no answer within 100ms');
    const rude = await serve('rude.sock', net.createServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-')));
    await expect(unixGet(rude, '/_ping', 1000)).rejects.toThrow('closed the connection before a whole answer');
    await expect(unixGet(path.join(dir, 'none.sock'), '/_ping', 1000)).rejects.toMatchObject({code: 'ENOENT'});
  });

  it('parses only a whole answer, and a body without a length at the end of the connection', () => {
    const head = 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\n';
    expect(parseAnswer(Buffer.from(head + 'bo'), false)).toBeUndefined();
    expect(parseAnswer(Buffer.from(head + 'boom!'), false)).toMatchObject({status: 500, body: 'boom!'});
    expect(parseAnswer(Buffer.from('HTTP/1.0 200 OK\r\n\r\nall of it'), false)).toBeUndefined();
    expect(parseAnswer(Buffer.from('HTTP/1.0 200 OK\r\n\r\nall of it'), true)).toMatchObject({status: 200, body: 'all of it'});
  });

  it('sends a JSON body with its length (POST), a request without one (DELETE), and reads a 204 that ends the connection', async () => {
    const seen: Array<{method?: string; url?: string; type?: string; length?: string; body: string}> = [];
    const socketPath = await serve('methods.sock', http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({method: req.method, url: req.url, type: req.headers['content-type'], length: req.headers['content-length'], body});
        if (req.method === 'POST') res.writeHead(201, {'Content-Type': 'application/json'}).end('{"Id":"abc"}');
        else res.writeHead(204).end();
      });
    }));
    const created = await unixRequest(socketPath, 'POST', '/containers/create?name=p%C3%B6d', {Image: 'pause', Labels: {note: 'ü'}}, 1000);
    expect(created).toMatchObject({status: 201, body: '{"Id":"abc"}'});
    expect(await unixRequest(socketPath, 'DELETE', '/containers/abc?force=true', undefined, 1000)).toMatchObject({status: 204, body: ''});
    expect(seen).toEqual([
      {method: 'POST', url: '/containers/create?name=p%C3%B6d', type: 'application/json', length: String(Buffer.byteLength('{"Image":"pause","Labels":{"note":"ü"}}')), body: '{"Image":"pause","Labels":{"note":"ü"}}'},
      {method: 'DELETE', url: '/containers/abc?force=true', type: undefined, length: undefined, body: ''},
    ]);
  });
});
