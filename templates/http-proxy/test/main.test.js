import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {startMain, startServer} from './helpers.js';

// The real entry point: env config, access log on stdout, /healthz, SIGTERM -> exit 0.
test('main.js proxies, logs JSON access lines and stops cleanly on SIGTERM', async () => {
  const app = await startServer((req, res) => res.end('hello'));
  after(app.close);
  const main = startMain({LISTEN_PORT: '0', ADMIN_PORT: '0', UPSTREAMS: `127.0.0.1:${app.port}`});
  after(() => main.child.kill('SIGKILL'));
  const ready = await main.waitForJson('stderr', (line) => line.msg === 'listening');

  const res = await fetch(`http://127.0.0.1:${ready.listenPort}/hi?x=1`);
  assert.equal(await res.text(), 'hello');
  const entry = await main.waitForJson('stdout', (line) => line.path === '/hi?x=1');
  assert.equal(entry.method, 'GET');
  assert.equal(entry.status, 200);
  assert.equal(entry.tries, 1);
  assert.equal(typeof entry.duration_ms, 'number');

  const health = await fetch(`http://127.0.0.1:${ready.adminPort}/healthz`);
  assert.equal(health.status, 200);

  main.child.kill('SIGTERM');
  assert.deepEqual(await main.exited, {code: 0, signal: null});
});

test('main.js refuses a bad configuration with the variable name', async () => {
  const main = startMain({UPSTREAMS: 'nonsense'});
  const {code} = await main.exited;
  assert.equal(code, 1);
  const errors = main.lines.stderr.map((line) => JSON.parse(line));
  assert.match(errors.at(-1).error, /UPSTREAMS entry "nonsense"/);
});
