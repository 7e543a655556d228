import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {readConfig} from '../src/config.js';
import {startMetricsExporter} from '../src/metrics-exporter.js';
import {startServer} from './helpers.js';
import {parsePrometheusText} from './prom-parser.js';

const cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()();
});

// A real app serving JSON metrics; `respond` decides what each hit gets.
async function app(respond) {
  const state = {hits: 0};
  const server = await startServer((req, res) => {
    state.hits += 1;
    respond(req, res, state.hits);
  });
  cleanups.push(server.close);
  return {state, url: `http://127.0.0.1:${server.port}/metrics.json`};
}

const json = (body) => (req, res) => {
  res.writeHead(200, {'content-type': 'application/json'});
  res.end(JSON.stringify(typeof body === 'function' ? body() : body));
};

async function exporter(targetUrl, env = {}) {
  const config = readConfig({TARGET_URL: targetUrl, PORT: '0', SCRAPE_TIMEOUT_MS: '500', ...env});
  const started = await startMetricsExporter(config);
  cleanups.push(started.close);
  return started;
}

async function scrape(port) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await res.text());
}

const value = (families, name) => families.get(name)?.samples[0].value;

test('serves the app\'s JSON as valid Prometheus text', async () => {
  const target = await app(json({
    requests_total: 12, queue: {depth: 3, 'max-depth': 10}, up: true, degraded: false,
    version: '1.4.0', owner: null, 'weird key:é': 7, workers: [{busy: true}, {busy: false}], 'queue_depth': 99,
  }));
  const families = await scrape((await exporter(target.url)).port);

  assert.equal(families.get('app_requests_total').type, 'counter');
  assert.equal(value(families, 'app_requests_total'), 12);
  assert.equal(families.get('app_queue_depth').type, 'gauge');
  assert.equal(value(families, 'app_queue_depth'), 3, 'first of two colliding names wins');
  assert.equal(value(families, 'app_queue_max_depth'), 10);
  assert.equal(value(families, 'app_up'), 1);
  assert.equal(value(families, 'app_degraded'), 0);
  assert.equal(value(families, 'app_weird_key__'), 7);
  assert.equal(value(families, 'app_workers_0_busy'), 1);
  assert.equal(value(families, 'app_workers_1_busy'), 0);
  assert.ok(!families.has('app_version') && !families.has('app_owner'), 'strings and nulls dropped');
  assert.equal(value(families, 'app_scrape_success'), 1);
  const duration = value(families, 'app_scrape_duration_seconds');
  assert.ok(duration >= 0 && duration < 1, `duration ${duration}`);
});

test('scrapes the app on every Prometheus scrape', async () => {
  const target = await app(json(() => ({requests_total: Date.now() % 1000})));
  const {port} = await exporter(target.url, {PREFIX: 'orders'});
  for (let i = 0; i < 3; i += 1) assert.equal(value(await scrape(port), 'orders_scrape_success'), 1);
  assert.equal(target.state.hits, 3);
});

test('CACHE_MS reuses a recent scrape and concurrent scrapes share one request', async () => {
  const target = await app(json({n: 1}));
  const {port} = await exporter(target.url, {CACHE_MS: '60000'});
  await Promise.all([scrape(port), scrape(port), scrape(port)]);
  await scrape(port);
  assert.equal(target.state.hits, 1);
});

test('a failing app yields scrape_success 0 and still valid text', async () => {
  const failures = {
    'HTTP 500': (req, res) => {
      res.writeHead(500);
      res.end('boom');
    },
    'not JSON': (req, res) => res.end('<html>'),
    'too slow': (req, res) => setTimeout(() => res.end('{}'), 1000),
  };
  for (const [why, respond] of Object.entries(failures)) {
    const target = await app(respond);
    const families = await scrape((await exporter(target.url)).port);
    assert.equal(value(families, 'app_scrape_success'), 0, why);
    assert.deepEqual([...families.keys()].sort(), ['app_scrape_duration_seconds', 'app_scrape_success'], why);
  }
});

test('an app that is not up yet yields scrape_success 0', async () => {
  const {port: deadPort, close} = await startServer(() => {});
  await close();
  const families = await scrape((await exporter(`http://127.0.0.1:${deadPort}/m`)).port);
  assert.equal(value(families, 'app_scrape_success'), 0);
});
