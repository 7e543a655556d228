import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {startMain, startServer} from './helpers.js';
import {parsePrometheusText} from './prom-parser.js';

// The real entry point: env config, /metrics, /healthz, SIGTERM -> exit 0.
test('main.js exports the app\'s metrics and stops cleanly on SIGTERM', async () => {
  const app = await startServer((req, res) => res.end('{"jobs": {"done_total": 5}}'));
  after(app.close);
  const main = startMain({PORT: '0', TARGET_URL: `http://127.0.0.1:${app.port}/`, PREFIX: 'worker'});
  after(() => main.child.kill('SIGKILL'));
  const ready = await main.waitForJson('stderr', (line) => line.msg === 'listening');

  const families = parsePrometheusText(await (await fetch(`http://127.0.0.1:${ready.port}/metrics`)).text());
  assert.equal(families.get('worker_jobs_done_total').samples[0].value, 5);
  assert.equal((await fetch(`http://127.0.0.1:${ready.port}/healthz`)).status, 200);

  main.child.kill('SIGTERM');
  assert.deepEqual(await main.exited, {code: 0, signal: null});
});
