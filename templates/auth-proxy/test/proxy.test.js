import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, afterEach, before, test} from 'node:test';
import {startAuthProxy} from '../src/auth-proxy.js';
import {readConfig} from '../src/config.js';
import {startServer} from './helpers.js';
import {SECRET, claims, nowSeconds, signJwt} from './jwt-sign.js';

const {publicKey, privateKey} = crypto.generateKeyPairSync('rsa', {modulusLength: 2048});
const cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()();
});

// The app behind the proxy: echoes what it received.
let app;
before(async () => {
  app = await startServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      app.hits += 1;
      res.writeHead(200, {'content-type': 'application/json', 'x-app': 'yes'});
      res.end(JSON.stringify({method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString()}));
    });
  });
  app.hits = 0;
});
after(() => app.close());

async function proxy(env = {}) {
  const config = readConfig({
    LISTEN_PORT: '0', UPSTREAM: `http://127.0.0.1:${app.port}`, JWT_SECRET: SECRET,
    JWT_AUDIENCE: 'orders-api', JWT_ISSUER: 'https://issuer.test', REALM: 'orders', ...env,
  });
  const started = await startAuthProxy(config);
  cleanups.push(started.close);
  return (pathname, init = {}) => fetch(`http://127.0.0.1:${started.port}${pathname}`, init);
}

const bearer = (token) => ({authorization: `Bearer ${token}`});

test('forwards a good HS256 token with X-User-Id and X-User-Roles, dropping client X-User-*', async () => {
  const request = await proxy();
  const res = await request('/orders?page=2', {
    method: 'POST',
    body: '{"item":1}',
    headers: {...bearer(signJwt(claims(), {key: SECRET})), 'x-user-id': 'root', 'X-User-Roles': 'superuser', 'x-user-email': 'a@b.c'},
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-app'), 'yes');
  const seen = await res.json();
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/orders?page=2');
  assert.equal(seen.body, '{"item":1}');
  assert.equal(seen.headers['x-user-id'], 'user-42');
  assert.equal(seen.headers['x-user-roles'], 'admin,dev');
  assert.equal(seen.headers['x-user-email'], undefined);
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
});

test('forwards a good RS256 token verified with JWT_PUBLIC_KEY_FILE', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'auth-proxy-test-'));
  cleanups.push(() => fs.rm(dir, {recursive: true, force: true}));
  const keyFile = path.join(dir, 'jwt.pem');
  await fs.writeFile(keyFile, publicKey.export({type: 'spki', format: 'pem'}));
  const request = await proxy({JWT_SECRET: '', JWT_PUBLIC_KEY_FILE: keyFile});
  const res = await request('/me', {headers: bearer(signJwt(claims({roles: 'reader'}), {alg: 'RS256', key: privateKey}))});
  assert.equal(res.status, 200);
  const seen = await res.json();
  assert.equal(seen.headers['x-user-id'], 'user-42');
  assert.equal(seen.headers['x-user-roles'], 'reader');

  const hs = await request('/me', {headers: bearer(signJwt(claims(), {key: SECRET}))});
  assert.equal(hs.status, 401, 'HS256 refused when only an RSA key is configured');
});

test('accepts JWT_PUBLIC_KEY inline, with literal \\n as env files write it', async () => {
  const pem = publicKey.export({type: 'spki', format: 'pem'}).replace(/\n/g, '\\n');
  const request = await proxy({JWT_SECRET: '', JWT_PUBLIC_KEY: pem});
  const res = await request('/', {headers: bearer(signJwt(claims({roles: undefined}), {alg: 'RS256', key: privateKey}))});
  assert.equal(res.status, 200);
  assert.equal((await res.json()).headers['x-user-roles'], '');
});

test('rejects bad tokens with 401, a Bearer challenge and a JSON body, without reaching the app', async () => {
  const request = await proxy();
  const hitsBefore = app.hits;
  const cases = {
    'bad signature': [signJwt(claims(), {key: 'not-the-secret-but-also-32-bytes-long'}), 'invalid signature'],
    expired: [signJwt(claims({exp: nowSeconds() - 3600}), {key: SECRET}), 'token expired'],
    'wrong audience': [signJwt(claims({aud: 'billing-api'}), {key: SECRET}), 'token audience not accepted'],
    'alg none': [signJwt(claims(), {alg: 'none'}), 'unsigned tokens (alg none) are not accepted'],
    'alg mismatch': [signJwt(claims(), {alg: 'RS256', key: privateKey}), 'alg RS256 is not accepted'],
    garbage: ['garbage', 'malformed token'],
  };
  for (const [why, [token, description]] of Object.entries(cases)) {
    const res = await request('/orders', {headers: bearer(token)});
    assert.equal(res.status, 401, why);
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="orders", error="invalid_token", error_description="${description}"`, why);
    assert.deepEqual(await res.json(), {error: 'invalid_token', error_description: description}, why);
  }
  assert.equal(app.hits, hitsBefore);
});

test('a missing token gets a bare challenge (RFC 6750 3.1)', async () => {
  const request = await proxy();
  for (const headers of [{}, {authorization: 'Basic dXNlcjpwYXNz'}]) {
    const res = await request('/orders', {headers});
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="orders"');
    assert.equal((await res.json()).error, 'unauthorized');
  }
});

test('/healthz answers without a token and is not forwarded', async () => {
  const request = await proxy();
  const hitsBefore = app.hits;
  const res = await request('/healthz');
  assert.equal(res.status, 200);
  assert.equal(app.hits, hitsBefore);
});

test('an unreachable upstream is a 502', async () => {
  const {port, close} = await startServer(() => {});
  await close();
  const request = await proxy({UPSTREAM: `http://127.0.0.1:${port}`});
  const res = await request('/x', {headers: bearer(signJwt(claims(), {key: SECRET}))});
  assert.equal(res.status, 502);
});

test('refuses to start without a key, or with a short HS256 secret', () => {
  assert.throws(() => readConfig({}), /JWT_SECRET/);
  assert.throws(() => readConfig({JWT_SECRET: 'short'}), /at least 32 bytes/);
  assert.throws(() => readConfig({JWT_PUBLIC_KEY: 'not a pem'}), /not a PEM public key/);
});
