import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {root} from './cli-harness.js';

// Issue 13.2: dist/bundle/dockerode.cjs (scripts/bundle.js) leaves https and zlib
// out of its load: docker-modem required https (with tls and node:crypto) and
// dockerode zlib at load, ~10 ms of a Docker supervisor's start, for a TLS engine
// and gzipped build contexts only. Each loads on first use, through a stand-in.
const bundle = path.join(root, 'dist/bundle/dockerode.cjs');

const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-dockerode-bundle-'));

// Runs `body` in a fresh Node with the bundle loaded as `Docker` (as bin/load-bundle.js
// loads it), from a file: `node -e` loads node:crypto itself.
function inNode(body: string): string {
  const file = path.join(dir, 'probe.cjs');
  const script = `const Docker = require(${JSON.stringify(path.join(root, 'bin/load-bundle.js'))}).loadBundle(${JSON.stringify(bundle)});
const loaded = (name) => process.moduleLoadList.includes('NativeModule ' + name);
(async () => { ${body} })().catch((error) => { console.error(error); process.exit(1); });`;
  writeFileSync(file, script);
  return execFileSync(process.execPath, [file], {encoding: 'utf8', timeout: 20_000});
}

describe('the dockerode bundle', () => {
  it('loads neither https, tls, node:crypto nor zlib until they are used', () => {
    expect(existsSync(bundle), 'npm run build makes dist/bundle/dockerode.cjs').toBe(true);
    const out = inNode(`new Docker({socketPath: '/nonexistent'}).getContainer('x');
console.log(JSON.stringify({https: loaded('https'), tls: loaded('tls'), crypto: loaded('crypto'), zlib: loaded('zlib'), http: loaded('http')}));`);
    // http is loaded (the engine is spoken to over it): the check sees builtins at all.
    expect(JSON.parse(out)).toEqual({https: false, tls: false, crypto: false, zlib: false, http: true});
  });

  it('still speaks TLS to an engine on https, through the stand-in', () => {
    // A TCP server that is not TLS: the client's TLS handshake fails on it, which
    // only a real https request can produce; https and tls are then loaded.
    const out = inNode(`const server = require('node:net').createServer((socket) => socket.end('not tls\\n'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const docker = new Docker({protocol: 'https', host: '127.0.0.1', port: server.address().port, ca: 'none', timeout: 5000});
const error = await docker.ping().then(() => undefined, (e) => e);
server.close();
console.log(JSON.stringify({failed: error !== undefined, message: String(error?.message ?? ''), https: loaded('https'), tls: loaded('tls')}));`);
    const result = JSON.parse(out) as {failed: boolean; message: string; https: boolean; tls: boolean};
    expect(result).toEqual(expect.objectContaining({failed: true, https: true, tls: true}));
    expect(result.message).toMatch(/ssl|tls|wrong version|packet length|EPROTO|socket hang up|ECONNRESET/i);
  });

  it('sends a build context gzipped, through the zlib stand-in', () => {
    // A stand-in engine on a unix socket keeps the first bytes of the build request's body.
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    const out = inNode(`const socketPath = ${JSON.stringify(path.join(dir, 'engine.sock'))};
require('node:fs').rmSync(socketPath, {force: true});
let head;
const engine = require('node:http').createServer((request, response) => {
  request.once('data', (chunk) => (head ??= chunk.subarray(0, 2).toString('hex')));
  request.on('end', () => response.writeHead(200, {'Content-Type': 'application/json'}).end('{"stream":"done"}\\n'));
  request.resume();
});
await new Promise((resolve) => engine.listen(socketPath, resolve));
const before = loaded('zlib');
const stream = await new Docker({socketPath}).buildImage({context: ${JSON.stringify(dir)}, src: ['Dockerfile']}, {t: 'probe'});
await new Promise((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject); stream.resume(); });
engine.close();
console.log(JSON.stringify({before, after: loaded('zlib'), head}));`);
    // 1f8b: the gzip magic number, written by the real zlib behind the stand-in.
    expect(JSON.parse(out)).toEqual({before: false, after: true, head: '1f8b'});
  });
});
