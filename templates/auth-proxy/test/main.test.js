import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {startMain, startServer} from './helpers.js';
import {SECRET, claims, signJwt} from './jwt-sign.js';

// The real entry point: env config, auth, /healthz, SIGTERM -> exit 0.
test('main.js authenticates, forwards and stops cleanly on SIGTERM', async () => {
  const app = await startServer((req, res) => res.end(req.headers['x-user-id']));
  after(app.close);
  const main = startMain({LISTEN_PORT: '0', UPSTREAM: `http://127.0.0.1:${app.port}`, JWT_SECRET: SECRET, JWT_AUDIENCE: 'orders-api'});
  after(() => main.child.kill('SIGKILL'));
  const ready = await main.waitForJson('stderr', (line) => line.msg === 'listening');
  const url = `http://127.0.0.1:${ready.port}`;

  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  assert.equal((await fetch(`${url}/`)).status, 401);
  const ok = await fetch(`${url}/`, {headers: {authorization: `Bearer ${signJwt(claims(), {key: SECRET})}`}});
  assert.equal(await ok.text(), 'user-42');

  main.child.kill('SIGTERM');
  assert.deepEqual(await main.exited, {code: 0, signal: null});
});

test('main.js refuses to start without a key', async () => {
  const main = startMain({JWT_SECRET: '', JWT_PUBLIC_KEY: '', JWT_PUBLIC_KEY_FILE: ''});
  assert.equal((await main.exited).code, 1);
  assert.match(JSON.parse(main.lines.stderr.at(-1)).error, /JWT_SECRET/);
});
