// Issue 11.7: save -> new answer under `up --watch`, in one run:
// - process runtime: sidecar's `restart` rule against nodemon running the same
//   app (nodemon installed at run time into a cache under os.tmpdir(), not a dep),
//   saves alternated between the two so both see the same load; beside the app's
//   own start time (spawn -> first answer), measured alone in the same run;
// - Docker `sync` (no restart: the app reads its files per request) of 1 and of
//   100 changed files.
// Medians over BENCH_RUNS (default 10) saves each; the load average is printed.
// Goals: process restart <= 150 ms beyond the app's own start, at most nodemon's;
// sync of one file <= 150 ms. Both include the 100 ms quiet period of batching,
// which nodemon's defaults do not have: it also runs with `--delay 100ms`, the
// same trailing debounce, to compare like with like. Same app, same save
// (writeFileSync), same way of seeing the new answer (HTTP polled every 2 ms).
// SKIP_DOCKER=1 / SKIP_PROCESS=1 leave a part out.
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {fmt, median} from './lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'run.js');
const runs = Number(process.env.BENCH_RUNS ?? 10);
const NODE_IMAGE = 'sidecar-test/node:20';
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sidecar = (dir, args) => execFileSync(process.execPath, [bin, ...args], {cwd: dir, stdio: 'ignore', env: {...process.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? 'sidecar-test/pause:1'}});

const freePort = () =>
  new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
const answer = (port, url = '/') => fetch(`http://127.0.0.1:${port}${url}`).then((r) => r.text()).catch(() => undefined);
const until = async (port, want, url = '/', deadlineMs = 60_000) => {
  const deadline = performance.now() + deadlineMs;
  while ((await answer(port, url)) !== want) {
    if (performance.now() > deadline) throw new Error(`no answer ${want} on ${port}${url} within ${deadlineMs} ms`);
    await sleep(2);
  }
};

// nodemon at run time, once per machine: `npm install --prefix` into a cache dir.
function nodemonBin() {
  const cache = path.join(os.tmpdir(), 'sidecar-bench-cache', 'nodemon');
  const entry = path.join(cache, 'node_modules', 'nodemon', 'bin', 'nodemon.js');
  if (!existsSync(entry)) {
    mkdirSync(cache, {recursive: true});
    execFileSync('npm', ['install', '--prefix', cache, '--no-audit', '--no-fund', '--silent', 'nodemon@3'], {stdio: 'inherit'});
  }
  return entry;
}

// The same app for sidecar and nodemon: answers with what message.txt held at start.
async function processApp() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-bench-watch-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src/server.cjs'), `const m = require('node:fs').readFileSync(__dirname + '/message.txt', 'utf8').trim();
process.on('SIGTERM', () => process.exit(0));
require('node:http').createServer((q, r) => r.end(m)).listen(${port}, '127.0.0.1');
`);
  writeFileSync(path.join(dir, 'src/message.txt'), 'v0');
  writeFileSync(path.join(dir, 'sidecar.yaml'), `version: 1
app:
  command: [node, src/server.cjs]
  health: {http: {port: ${port}, path: /}, interval: 100ms}
  stopTimeout: 2s
  watch: [{path: ./src, action: restart}]
`);
  return {dir, port};
}

async function ownStart(app) {
  const t = performance.now();
  const child = spawn(process.execPath, ['src/server.cjs'], {cwd: app.dir, stdio: 'ignore'});
  await until(app.port, 'v0');
  const ms = performance.now() - t;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return ms;
}

async function save(app, i) {
  await sleep(300);
  const t = performance.now();
  writeFileSync(path.join(app.dir, 'src/message.txt'), `v${i}`);
  await until(app.port, `v${i}`);
  return performance.now() - t;
}

async function processPart() {
  const nodemon = nodemonBin();
  const [ours, theirs, batched, alone] = [await processApp(), await processApp(), await processApp(), await processApp()];
  const own = [];
  sidecar(ours.dir, ['up', '--wait', '--watch', '--runtime', 'process']);
  // nodemon as its users run it (its defaults: no delay, it restarts on the first
  // event), told to follow .txt as well; and with `--delay 100ms`, nodemon's own
  // trailing debounce, the batching DESIGN asks of sidecar (100 ms of quiet).
  const args = ['--quiet', '--watch', 'src', '--ext', 'cjs,txt'];
  const children = [
    spawn(process.execPath, [nodemon, ...args, 'src/server.cjs'], {cwd: theirs.dir, stdio: 'ignore'}),
    spawn(process.execPath, [nodemon, ...args, '--delay', '100ms', 'src/server.cjs'], {cwd: batched.dir, stdio: 'ignore'}),
  ];
  const times = {sidecar: [], nodemon: [], batched: []};
  try {
    await until(theirs.port, 'v0');
    await until(batched.port, 'v0');
    // Every side in turn, so that all see the same load.
    for (let i = 1; i <= runs; i++) {
      own.push(await ownStart(alone));
      times.sidecar.push(await save(ours, i));
      times.nodemon.push(await save(theirs, i));
      times.batched.push(await save(batched, i));
    }
  } finally {
    sidecar(ours.dir, ['down']);
    for (const child of children) child.kill('SIGTERM');
    for (const app of [ours, theirs, batched, alone]) rmSync(app.dir, {recursive: true, force: true});
  }
  const [s, n, b, o] = [median(times.sidecar), median(times.nodemon), median(times.batched), median(own)];
  console.log(`process: save -> new answer, medians over ${runs} saves, sides in turn:
  sidecar                    ${fmt(s)}  beyond the app's own start ${fmt(s - o)} (goal <= 150 ms); beyond start + 100 ms quiet ${fmt(s - o - 100)}
  nodemon (defaults)         ${fmt(n)}  beyond the app's own start ${fmt(n - o)}; sidecar/nodemon ${(s / n).toFixed(2)}x (goal <= 1)
  nodemon --delay 100ms      ${fmt(b)}  beyond the app's own start ${fmt(b - o)}; sidecar/nodemon-with-the-same-batching ${(s / b).toFixed(2)}x
  the app's own start        ${fmt(o)}  (spawn -> first answer, alone)`);
}

// Docker: the app reads /app/www per request, so a synced file answers without a restart.
async function dockerPart() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-bench-sync-'));
  mkdirSync(path.join(dir, 'srv'));
  mkdirSync(path.join(dir, 'www'));
  writeFileSync(path.join(dir, 'srv/server.cjs'), `const fs = require('node:fs');
const read = (f) => { try { return fs.readFileSync('/app/www/' + f, 'utf8'); } catch { return '?'; } };
process.on('SIGTERM', () => process.exit(0));
require('node:http').createServer((q, r) => {
  if (q.url !== '/all') return r.end(read('message.txt'));
  const first = read('f-0.txt');
  for (let i = 1; i < 100; i++) if (read('f-' + i + '.txt') !== first) return r.end('mixed');
  r.end(first);
}).listen(8080, '0.0.0.0');
`);
  writeFileSync(path.join(dir, 'www/message.txt'), 'v0');
  for (let j = 0; j < 100; j++) writeFileSync(path.join(dir, `www/f-${j}.txt`), 'v0');
  writeFileSync(path.join(dir, 'sidecar.yaml'), `version: 1
name: bench-sync-${path.basename(dir).split('-').pop().toLowerCase()}
app:
  image: ${NODE_IMAGE}
  command: [node, /srv/server.cjs]
  volumes: ["./srv:/srv:ro"]
  ports: ["127.0.0.1:${port}:8080"]
  health: {tcp: {port: 8080}, interval: 200ms}
  stopTimeout: 1s
  watch: [{path: ./www, action: sync, target: /app/www}]
`);
  const one = [];
  const hundred = [];
  sidecar(dir, ['up', '--wait', '--watch', '--runtime', 'docker']);
  try {
    await until(port, 'v0');
    for (let i = 1; i <= runs; i++) {
      await sleep(300);
      let t = performance.now();
      writeFileSync(path.join(dir, 'www/message.txt'), `v${i}`);
      await until(port, `v${i}`);
      one.push(performance.now() - t);
      await sleep(300);
      t = performance.now();
      for (let j = 0; j < 100; j++) writeFileSync(path.join(dir, `www/f-${j}.txt`), `v${i}`);
      await until(port, `v${i}`, '/all');
      hundred.push(performance.now() - t);
    }
  } finally {
    sidecar(dir, ['down', '--timeout', '1s']);
    rmSync(dir, {recursive: true, force: true});
  }
  console.log(`docker sync: save -> new answer (no restart), median over ${runs}: 1 file ${fmt(median(one))} (goal <= 150 ms), 100 files ${fmt(median(hundred))}`);
}

console.log(`load average at start: ${load()} (${os.cpus().length} cores)`);
if (process.env.SKIP_PROCESS !== '1') await processPart();
if (process.env.SKIP_DOCKER !== '1') await dockerPart();
console.log(`load average at end: ${load()}`);
