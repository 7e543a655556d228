import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import {afterEach, test} from 'node:test';
import {readConfig} from '../src/config.js';
import {startLogShipper} from '../src/log-shipper.js';
import {startServer, tempDir, waitFor} from './helpers.js';

const cleanups = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()();
});

// A real HTTP endpoint that receives the NDJSON batches; `failing` makes it answer 500.
async function collector() {
  const state = {received: [], requests: 0, failing: false};
  const server = await startServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      state.requests += 1;
      if (state.failing) {
        res.writeHead(500);
        return res.end();
      }
      const body = Buffer.concat(chunks).toString();
      for (const line of body.split('\n').filter(Boolean)) state.received.push(JSON.parse(line));
      res.end('ok');
    });
  });
  cleanups.push(server.close);
  return {...state, state, url: `http://127.0.0.1:${server.port}/ingest`};
}

async function setup() {
  const {dir, remove} = await tempDir();
  cleanups.push(remove);
  const sink = await collector();
  const config = readConfig({
    LOG_DIR: dir, LOG_PATTERN: '*.log', OFFSET_FILE: path.join(dir, '.state', 'offsets.json'),
    SHIP_URL: sink.url, HEALTH_PORT: '0', SERVICE_NAME: 'orders', POLL_INTERVAL_MS: '20',
    BATCH_SIZE: '10', BATCH_INTERVAL_MS: '30', RETRY_BASE_MS: '20', RETRY_MAX_MS: '50',
    ROTATE_WAIT_MS: '1000', SHUTDOWN_GRACE_MS: '300',
  });
  return {dir, sink, config, file: path.join(dir, 'app.log')};
}

async function start(config) {
  const shipper = await startLogShipper(config);
  let closed = false;
  const close = async () => {
    if (!closed) await shipper.close();
    closed = true;
  };
  cleanups.push(close);
  return {...shipper, close};
}

const lines = (from, to) => Array.from({length: to - from}, (_, i) => `line-${from + i}\n`).join('');
const texts = (received) => received.map((record) => record.line);
const range = (from, to) => Array.from({length: to - from}, (_, i) => `line-${from + i}`);

test('every line of a file rotated mid-stream arrives exactly once, enriched', async () => {
  const {sink, config, file} = await setup();
  await start(config);
  const writer = await fs.open(file, 'a');
  await writer.write(lines(0, 30));
  await waitFor(() => sink.state.received.length >= 10, {what: 'the first batch'});
  await writer.write(lines(30, 50));
  // logrotate's default: rename, the app keeps writing through its old fd for a moment, then reopens.
  await fs.rename(file, `${file}.1`);
  await writer.write(lines(50, 60));
  await writer.close();
  await fs.writeFile(file, lines(60, 100));
  await waitFor(() => sink.state.received.length >= 100, {what: '100 lines'});

  const got = texts(sink.state.received);
  assert.deepEqual([...got].sort(), range(0, 100).sort(), 'none lost, none duplicated');
  assert.deepEqual(got.filter((text) => Number(text.slice(5)) < 60), range(0, 60), 'old file in order');
  const record = sink.state.received[0];
  assert.deepEqual(Object.keys(record).sort(), ['file', 'host', 'line', 'service', 'ts']);
  assert.equal(record.service, 'orders');
  assert.equal(record.file, 'app.log');
  assert.ok(!Number.isNaN(Date.parse(record.ts)));
});

test('resumes from the offset file after a restart without re-shipping', async () => {
  const {sink, config, file} = await setup();
  const first = await start(config);
  await fs.writeFile(file, lines(0, 10));
  await waitFor(() => sink.state.received.length >= 10, {what: '10 lines'});
  await first.close();

  const saved = JSON.parse(await fs.readFile(config.offsetFile, 'utf8'));
  const [entry] = Object.values(saved.files);
  assert.deepEqual(entry, {file: 'app.log', offset: (await fs.stat(file)).size});

  await fs.appendFile(file, lines(10, 15));
  await start(config);
  await waitFor(() => sink.state.received.length >= 15, {what: '15 lines'});
  assert.deepEqual(texts(sink.state.received), range(0, 15));
});

test('offsets move only after the endpoint acknowledges: unacknowledged lines come back after a restart', async () => {
  const {sink, config, file} = await setup();
  sink.state.failing = true;
  const first = await start(config);
  await fs.writeFile(file, lines(0, 5));
  await waitFor(() => sink.state.requests >= 3, {what: 'three failed attempts'});
  await first.close();
  const saved = JSON.parse(await fs.readFile(config.offsetFile, 'utf8'));
  assert.deepEqual(Object.values(saved.files), [], 'nothing acknowledged, nothing recorded');

  sink.state.failing = false;
  await start(config);
  await waitFor(() => sink.state.received.length >= 5, {what: '5 lines'});
  assert.deepEqual(texts(sink.state.received), range(0, 5));
});

test('a failing endpoint is retried until it accepts', async () => {
  const {sink, config, file} = await setup();
  sink.state.failing = true;
  await start(config);
  await fs.writeFile(file, lines(0, 25));
  await waitFor(() => sink.state.requests >= 2, {what: 'failed attempts'});
  sink.state.failing = false;
  await waitFor(() => sink.state.received.length >= 25, {what: '25 lines'});
  assert.deepEqual(texts(sink.state.received), range(0, 25));
});

test('a truncated file is read again from the start', async () => {
  const {sink, config, file} = await setup();
  await start(config);
  await fs.writeFile(file, lines(0, 5));
  await waitFor(() => sink.state.received.length >= 5, {what: '5 lines'});
  await fs.truncate(file, 0);
  // Shorter than what was read: the shipper sees the size drop below its offset.
  await fs.appendFile(file, 'a\nb\n');
  await waitFor(() => sink.state.received.length >= 7, {what: '7 lines'});
  assert.deepEqual(texts(sink.state.received), [...range(0, 5), 'a', 'b']);
});

test('after a restart, finishes a file that was rotated away while it was down', async () => {
  const {sink, config, file} = await setup();
  const first = await start(config);
  await fs.writeFile(file, lines(0, 5));
  await waitFor(() => sink.state.received.length >= 5, {what: '5 lines'});
  await first.close();

  await fs.appendFile(file, lines(5, 8));
  await fs.rename(file, `${file}.1`);
  await fs.writeFile(file, lines(8, 10));
  await start(config);
  await waitFor(() => sink.state.received.length >= 10, {what: '10 lines'});
  assert.deepEqual([...texts(sink.state.received)].sort(), range(0, 10).sort());
});

test('LOG_FILES follows an explicit list, including a file created later', async () => {
  const {sink, dir} = await setup();
  const config = readConfig({
    LOG_DIR: dir, LOG_FILES: 'a.txt,sub/b.txt', OFFSET_FILE: path.join(dir, '.state', 'o.json'),
    SHIP_URL: sink.url, HEALTH_PORT: '0', POLL_INTERVAL_MS: '20', BATCH_INTERVAL_MS: '20',
  });
  await fs.writeFile(path.join(dir, 'a.txt'), 'from a\n');
  await fs.writeFile(path.join(dir, 'ignored.log'), 'not listed\n');
  await start(config);
  await fs.mkdir(path.join(dir, 'sub'));
  await fs.writeFile(path.join(dir, 'sub', 'b.txt'), 'from b\n');
  await waitFor(() => sink.state.received.length >= 2, {what: '2 lines'});
  assert.deepEqual(sink.state.received.map((r) => [r.file, r.line]).sort(), [['a.txt', 'from a'], ['sub/b.txt', 'from b']]);
});
