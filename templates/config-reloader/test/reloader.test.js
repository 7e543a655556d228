import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {readConfig} from '../src/config.js';
import {startConfigReloader} from '../src/config-reloader.js';
import {startServer, tempDir, waitFor} from './helpers.js';

const cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()();
});

async function dir() {
  const {dir: created, remove} = await tempDir();
  cleanups.push(remove);
  return created;
}

async function start(env) {
  const config = readConfig({HEALTH_PORT: '0', POLL_INTERVAL_MS: '20', DEBOUNCE_MS: '50', ...env});
  const started = await startConfigReloader(config);
  cleanups.push(started.close);
  return started;
}

// The app side of the HTTP variant: records each POST with the target's content at that moment.
async function reloadEndpoint(target) {
  const calls = [];
  const server = await startServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      calls.push({method: req.method, url: req.url, body: JSON.parse(Buffer.concat(chunks).toString()), seen: await fs.readFile(target, 'utf8')});
      res.end('reloaded');
    });
  });
  cleanups.push(server.close);
  return {calls, url: `http://127.0.0.1:${server.port}/-/reload`};
}

test('a changed file reaches the app by signal', async () => {
  const root = await dir();
  const [source, target, pidFile] = ['app.conf', 'shared/app.conf', 'shared/app.pid'].map((name) => path.join(root, name));
  await fs.writeFile(source, 'v1');
  const reloader = await start({SOURCE: source, TARGET: target, NOTIFY_PID_FILE: pidFile});
  assert.equal(await fs.readFile(target, 'utf8'), 'v1', 'first sync before start() resolves');

  const fixture = fileURLToPath(new URL('fixtures-app.js', import.meta.url));
  const app = spawn(process.execPath, [fixture, target], {stdio: ['ignore', 'pipe', 'inherit']});
  cleanups.push(() => app.kill('SIGKILL'));
  const events = [];
  app.stdout.setEncoding('utf8').on('data', (data) => events.push(...data.trim().split('\n').map((line) => JSON.parse(line))));
  await waitFor(() => events.some((event) => event.ready), {what: 'the app'});
  await fs.writeFile(pidFile, `${app.pid}\n`);

  await fs.writeFile(source, 'v2');
  await waitFor(() => events.some((event) => event.reloaded), {what: 'SIGHUP'});
  assert.deepEqual(events.filter((event) => event.reloaded), [{reloaded: 'v2'}]);
  assert.equal(reloader.reloader.status.notifications, 1);
});

test('a changed URL reaches the app by HTTP POST, and the config is in place before it', async () => {
  const root = await dir();
  const target = path.join(root, 'shared', 'app.json');
  let config = '{"level":"info"}';
  let fullResponses = 0;
  const origin = await startServer((req, res) => {
    const etag = `"${Buffer.from(config).toString('base64url')}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304);
      return res.end();
    }
    fullResponses += 1;
    res.writeHead(200, {etag, 'content-type': 'application/json'});
    res.end(config);
  });
  cleanups.push(origin.close);
  const app = await reloadEndpoint(target);
  const reloader = await start({SOURCE: `http://127.0.0.1:${origin.port}/config`, TARGET: target, NOTIFY_URL: app.url});
  await sleep(100);
  assert.equal(fullResponses, 1, 'unchanged config is answered by 304');

  config = '{"level":"debug"}';
  await waitFor(() => app.calls.length >= 1, {what: 'the POST'});
  assert.equal(app.calls[0].method, 'POST');
  assert.equal(app.calls[0].url, '/-/reload');
  assert.equal(app.calls[0].seen, '{"level":"debug"}');
  assert.equal(app.calls[0].body.target, target);
  assert.equal(app.calls[0].body.sha256, reloader.reloader.status.hash);
});

test('the target is replaced atomically: a reader never sees a partial file', async () => {
  const root = await dir();
  const [source, target] = [path.join(root, 'big.conf'), path.join(root, 'shared', 'big.conf')];
  // Large enough that a non-atomic write would be observed half-done.
  const versions = Array.from({length: 5}, (_, i) => String(i).repeat(2 * 1024 * 1024));
  await fs.writeFile(source, versions[0]);
  const app = await reloadEndpoint(target);
  await start({SOURCE: source, TARGET: target, NOTIFY_URL: app.url, DEBOUNCE_MS: '0'});

  const valid = new Set(versions);
  let reading = true;
  let reads = 0;
  const reader = (async () => {
    while (reading && reads < 100_000) {
      const seen = await fs.readFile(target, 'utf8');
      reads += 1;
      assert.ok(valid.has(seen), `read ${seen.length} bytes that are no complete version`);
    }
  })();
  const inodes = [(await fs.stat(target)).ino];
  for (let i = 1; i < versions.length; i += 1) {
    // The source itself is replaced atomically too: this test is about the target.
    await fs.writeFile(`${source}.tmp`, versions[i]);
    await fs.rename(`${source}.tmp`, source);
    await waitFor(() => app.calls.length >= i, {what: `version ${i}`});
    inodes.push((await fs.stat(target)).ino);
  }
  reading = false;
  await reader;
  assert.ok(reads > 5, `the reader ran (${reads} reads)`);
  // The temp file is created while the old target still exists, so each
  // version is a different inode than the one it replaced (freed inodes may be reused later).
  for (let i = 1; i < inodes.length; i += 1) assert.notEqual(inodes[i], inodes[i - 1], 'a new file renamed into place');
  assert.deepEqual(await fs.readdir(path.dirname(target)), ['big.conf'], 'no temp files left behind');
});

test('rapid changes are debounced into one write and one notification', async () => {
  const root = await dir();
  const [source, target] = [path.join(root, 'app.conf'), path.join(root, 'out', 'app.conf')];
  await fs.writeFile(source, 'v0');
  const app = await reloadEndpoint(target);
  const {reloader} = await start({SOURCE: source, TARGET: target, NOTIFY_URL: app.url, DEBOUNCE_MS: '400'});
  for (let i = 1; i <= 10; i += 1) {
    await fs.writeFile(source, `v${i}`);
    await sleep(10);
  }
  await waitFor(() => app.calls.length >= 1, {what: 'the notification'});
  await sleep(500);
  assert.equal(app.calls.length, 1);
  assert.equal(app.calls[0].seen, 'v10');
  assert.equal(reloader.status.writes, 2, 'first sync + one debounced write');
});

test('unchanged content is neither rewritten nor notified', async () => {
  const root = await dir();
  const [source, target] = [path.join(root, 'app.conf'), path.join(root, 'out', 'app.conf')];
  await fs.mkdir(path.dirname(target));
  await fs.writeFile(source, 'same');
  await fs.writeFile(target, 'same');
  const before = await fs.stat(target);
  const app = await reloadEndpoint(target);
  const {reloader} = await start({SOURCE: source, TARGET: target, NOTIFY_URL: app.url});
  assert.equal(reloader.status.synced, true, 'an up-to-date target counts as synced');

  await fs.writeFile(source, 'same');
  await sleep(200);
  const after = await fs.stat(target);
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
  assert.equal(reloader.status.writes, 0);
  assert.equal(app.calls.length, 0);
});

test('/healthz is 503 until the source exists and the target is written', async () => {
  const root = await dir();
  const [source, target] = [path.join(root, 'late.conf'), path.join(root, 'out', 'late.conf')];
  const {healthPort} = await start({SOURCE: source, TARGET: target});
  const health = () => fetch(`http://127.0.0.1:${healthPort}/healthz`);
  const waiting = await health();
  assert.equal(waiting.status, 503);
  assert.match((await waiting.json()).lastError, /source missing/);

  await fs.writeFile(source, 'finally');
  await waitFor(async () => (await health()).status === 200, {what: 'healthy'});
  assert.equal(await fs.readFile(target, 'utf8'), 'finally');
});
