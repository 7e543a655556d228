import {spawn} from 'node:child_process';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {composeHealthcheck} from '../../../src/generate/compose-healthcheck.js';
import {LossList} from '../../../src/generate/loss.js';
import type {Check, HttpCheck} from '../../../src/manifest/types.js';
import {service} from '../../helpers/manifest-builder.js';

// The CMD-SHELL commands run for real with sh, twice: with the host's PATH
// (wget or curl answer), and with a PATH holding only a link to node, so
// wget/curl/nc are missing and the node fallback must do the job.
let server: http.Server;
let port = 0;
let nodeOnly = '';
beforeAll(async () => {
  nodeOnly = mkdtempSync(path.join(os.tmpdir(), 'sidecar-node-only-'));
  symlinkSync(process.execPath, path.join(nodeOnly, 'node'));
  server = http.createServer((req, res) => {
    res.statusCode = req.url === '/ok' && req.headers['x-probe'] === "it's" ? 200 : 500;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  rmSync(nodeOnly, {recursive: true, force: true});
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// Async on purpose: the server answering the probe lives in this process.
async function run(check: Check, pathEnv: string): Promise<number> {
  const test = composeHealthcheck(service('app', 'app', {health: {check, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 1000}}), new LossList())!.test;
  expect(test[0]).toBe('CMD-SHELL');
  const child = spawn('/bin/sh', ['-c', test[1]!], {env: {PATH: pathEnv}, stdio: 'ignore', timeout: 10_000});
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
}

describe.each([
  ['the host PATH', () => process.env.PATH ?? '/usr/bin:/bin'],
  ['node alone on PATH', () => nodeOnly],
])('compose healthcheck commands, run for real with %s', (_label, pathOf) => {
  it('http: 2xx passes, 5xx fails; headers are sent', async () => {
    const check = (p: number, url: string): HttpCheck => ({kind: 'http', port: p, path: url, scheme: 'http', headers: {'X-Probe': "it's"}});
    expect(await run(check(port, '/ok'), pathOf())).toBe(0);
    expect(await run(check(port, '/fail'), pathOf())).not.toBe(0);
    expect(await run({...check(port, '/ok'), headers: {}}, pathOf())).not.toBe(0);
  });

  it('tcp: an open port passes, a closed one fails', async () => {
    expect(await run({kind: 'tcp', port}, pathOf())).toBe(0);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await run({kind: 'tcp', port: closedPort}, pathOf())).not.toBe(0);
  });
});
