import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import {after, test} from 'node:test';
import {startMain, tempDir} from './helpers.js';

// The real entry point: env config, first sync, /healthz, SIGTERM -> exit 0.
test('main.js syncs the config, serves /healthz and stops cleanly on SIGTERM', async () => {
  const {dir, remove} = await tempDir();
  after(remove);
  await fs.writeFile(path.join(dir, 'app.conf'), 'port=1');
  const main = startMain({SOURCE: path.join(dir, 'app.conf'), TARGET: path.join(dir, 'shared', 'app.conf'), HEALTH_PORT: '0'});
  after(() => main.child.kill('SIGKILL'));
  const ready = await main.waitForJson('stderr', (line) => line.msg === 'listening');
  assert.equal(await fs.readFile(path.join(dir, 'shared', 'app.conf'), 'utf8'), 'port=1');
  assert.equal((await fetch(`http://127.0.0.1:${ready.healthPort}/healthz`)).status, 200);

  main.child.kill('SIGTERM');
  assert.deepEqual(await main.exited, {code: 0, signal: null});
});

test('main.js refuses an unknown NOTIFY_SIGNAL', async () => {
  const main = startMain({NOTIFY_SIGNAL: 'SIGNOPE', HEALTH_PORT: '0'});
  assert.equal((await main.exited).code, 1);
  assert.match(JSON.parse(main.lines.stderr.at(-1)).error, /NOTIFY_SIGNAL/);
});
