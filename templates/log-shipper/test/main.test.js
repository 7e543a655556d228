import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import {after, test} from 'node:test';
import {startMain, tempDir, waitFor} from './helpers.js';

// The real entry point: stdout sink, /healthz, SIGTERM -> offsets written, exit 0.
test('main.js ships to stdout, serves /healthz and stops cleanly on SIGTERM', async () => {
  const {dir, remove} = await tempDir();
  after(remove);
  const offsetFile = path.join(dir, '.state', 'offsets.json');
  await fs.writeFile(path.join(dir, 'web.log'), 'hello\n');
  const main = startMain({
    LOG_DIR: dir, OFFSET_FILE: offsetFile, HEALTH_PORT: '0', SERVICE_NAME: 'web',
    POLL_INTERVAL_MS: '20', BATCH_INTERVAL_MS: '20',
  });
  after(() => main.child.kill('SIGKILL'));
  const ready = await main.waitForJson('stderr', (line) => line.msg === 'listening');
  const shipped = await main.waitForJson('stdout', (line) => line.line === 'hello');
  assert.equal(shipped.service, 'web');
  assert.equal(shipped.file, 'web.log');

  const health = await fetch(`http://127.0.0.1:${ready.healthPort}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).files, 1);

  main.child.kill('SIGTERM');
  assert.deepEqual(await main.exited, {code: 0, signal: null});
  await waitFor(async () => (await fs.readFile(offsetFile, 'utf8')).includes('"offset": 6'), {what: 'offset file'});
});
