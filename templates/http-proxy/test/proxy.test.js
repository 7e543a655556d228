import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {readConfig} from '../src/config.js';
import {startHttpProxy} from '../src/http-proxy.js';
import {closedPort, request, startServer} from './helpers.js';

const cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()();
});

// A named upstream answering `status` (a number, or a function of the hit count).
async function upstream(name, status = 200, delayMs = 0) {
  const hits = [];
  const server = await startServer(async (req, res) => {
    hits.push({method: req.method, url: req.url, headers: req.headers});
    if (delayMs) await sleep(delayMs);
    const code = typeof status === 'function' ? status(hits.length) : status;
    res.writeHead(code, {'content-type': 'text/plain', 'x-upstream': name});
    res.end(name);
  });
  cleanups.push(server.close);
  return {...server, hits, name};
}

async function proxy(upstreamPorts, env = {}) {
  const config = readConfig({
    LISTEN_PORT: '0', ADMIN_PORT: '0', UPSTREAMS: upstreamPorts.map((port) => `127.0.0.1:${port}`).join(','),
    RETRY_BACKOFF_MS: '5', TRY_TIMEOUT_MS: '500', SHUTDOWN_GRACE_MS: '100', ...env,
  });
  const accessLog = [];
  const started = await startHttpProxy(config, {accessLog: (entry) => accessLog.push(entry)});
  cleanups.push(started.close);
  return {...started, accessLog};
}

test('round-robins across upstreams', async () => {
  const a = await upstream('a');
  const b = await upstream('b');
  const p = await proxy([a.port, b.port]);
  const bodies = [];
  for (let i = 0; i < 4; i += 1) bodies.push((await request(p.listenPort, {path: `/r${i}`})).body);
  assert.deepEqual(bodies, ['a', 'b', 'a', 'b']);
  assert.equal(a.hits[0].url, '/r0');
  assert.equal(a.hits[0].headers.host, `127.0.0.1:${a.port}`);
  assert.equal(a.hits[0].headers['x-forwarded-for'], '127.0.0.1');
});

test('retries an idempotent request on 502 against the next upstream', async () => {
  const bad = await upstream('bad', 502);
  const good = await upstream('good');
  const p = await proxy([bad.port, good.port]);
  const res = await request(p.listenPort, {method: 'PUT', path: '/item', body: 'payload'});
  assert.equal(res.status, 200);
  assert.equal(res.body, 'good');
  assert.equal(bad.hits.length, 1);
  assert.deepEqual(p.accessLog.at(-1), {
    method: 'PUT', path: '/item', status: 200, upstream: `127.0.0.1:${good.port}`,
    duration_ms: p.accessLog.at(-1).duration_ms, tries: 2,
  });
});

test('does not retry a POST', async () => {
  const bad = await upstream('bad', 503);
  const good = await upstream('good');
  const p = await proxy([bad.port, good.port]);
  const res = await request(p.listenPort, {method: 'POST', path: '/orders', body: '{}'});
  assert.equal(res.status, 503);
  assert.equal(res.body, 'bad', 'the upstream answer is passed through');
  assert.equal(good.hits.length, 0);
  assert.equal(p.accessLog.at(-1).tries, 1);
});

test('retries a connection error and gives up with 502 after RETRIES', async () => {
  const dead = await closedPort();
  const good = await upstream('good');
  const p = await proxy([dead, good.port]);
  assert.equal((await request(p.listenPort)).body, 'good');

  const alone = await proxy([dead], {RETRIES: '2'});
  const res = await request(alone.listenPort);
  assert.equal(res.status, 502);
  assert.equal(alone.accessLog.at(-1).tries, 3);
  assert.match(await (await fetch(`http://127.0.0.1:${alone.adminPort}/metrics`)).text(), /^proxy_retries_total 2$/m);
});

test('a try that exceeds TRY_TIMEOUT_MS is abandoned and retried elsewhere', async () => {
  const slow = await upstream('slow', 200, 800);
  const fast = await upstream('fast');
  const p = await proxy([slow.port, fast.port], {TRY_TIMEOUT_MS: '100'});
  const started = Date.now();
  const res = await request(p.listenPort);
  assert.equal(res.body, 'fast');
  assert.ok(Date.now() - started < 1000, 'did not wait for the slow upstream');

  const alone = await proxy([slow.port], {TRY_TIMEOUT_MS: '100', RETRIES: '1'});
  const timedOut = await request(alone.listenPort);
  assert.equal(timedOut.status, 504);
  assert.equal(alone.accessLog.at(-1).tries, 2);
});

test('opens the circuit of a failing upstream, answers 503, and recovers after the cooldown', async () => {
  let healthy = false;
  const flaky = await upstream('flaky', () => (healthy ? 200 : 502));
  const p = await proxy([flaky.port], {RETRIES: '0', BREAKER_THRESHOLD: '3', BREAKER_COOLDOWN_MS: '300'});
  for (let i = 0; i < 3; i += 1) assert.equal((await request(p.listenPort)).status, 502);

  const rejected = await request(p.listenPort);
  assert.equal(rejected.status, 503);
  assert.match(rejected.body, /all circuits open/);
  assert.equal(flaky.hits.length, 3, 'no traffic while open');
  const metrics = await (await fetch(`http://127.0.0.1:${p.adminPort}/metrics`)).text();
  assert.match(metrics, new RegExp(`proxy_upstream_breaker_state\\{upstream="127.0.0.1:${flaky.port}",state="open"\\} 1`));
  assert.match(metrics, /^proxy_requests_total\{status="503"\} 1$/m);

  healthy = true;
  await sleep(350);
  assert.equal((await request(p.listenPort)).status, 200, 'half-open trial goes through');
  assert.equal(p.pool.members[0].breaker.state, 'closed');
});

test('retries skip an upstream whose circuit opened', async () => {
  const bad = await upstream('bad', 504);
  const good = await upstream('good');
  const p = await proxy([bad.port, good.port], {BREAKER_THRESHOLD: '1', BREAKER_COOLDOWN_MS: '60000'});
  for (let i = 0; i < 4; i += 1) assert.equal((await request(p.listenPort)).body, 'good');
  assert.equal(bad.hits.length, 1);
});

test('a body over MAX_BODY_BYTES is refused with 413 before any try', async () => {
  const a = await upstream('a');
  const p = await proxy([a.port], {MAX_BODY_BYTES: '10'});
  const res = await request(p.listenPort, {method: 'PUT', body: 'x'.repeat(100)});
  assert.equal(res.status, 413);
  assert.equal(a.hits.length, 0);
  assert.equal(p.accessLog.at(-1).tries, 0);
});
