// Issue 13.2: where the time of `sidecar up --wait --runtime docker` + `sidecar
// down --volumes` goes, as one timeline. The CLI and the detached supervisor
// talk to the engine through a logging proxy (DOCKER_HOST=unix://<proxy>), which
// records each engine API call: which client connection carried it (a new one
// per call, or one kept alive), when it was asked, and when the engine answered
// (its headers: the engine's own time for the call, the proxy's hop aside).
// bench/lib/trace-hook.js marks each Node process's start, dockerode's load
// and its exit. Same stack as bench/docker-up-down.js (app + 2 sidecars sharing
// the pod's network and a volume, no probes); the first run warms up, the last
// is printed. Env: RUNS (default 2), SIDECARS (default 2).
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.RUNS ?? 2);
const sidecars = Number(process.env.SIDECARS ?? 2);
const engineSocket = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
const SERVE = JSON.stringify(['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done']).replaceAll('$', '$$$$');
const now = () => performance.timeOrigin + performance.now();

const work = mkdtempSync(path.join(os.tmpdir(), 'sidecar-docker-trace-'));
const proxySocket = path.join(work, 'engine.sock');
const traceFile = path.join(work, 'trace.jsonl');
let calls = [];
let events = [];
let connections = 0;

// The engine side keeps its connections alive, so the proxy adds no connect of
// its own; the client side's connections are counted as the clients open them.
const agent = new http.Agent({keepAlive: true, maxSockets: Infinity});
const proxy = http.createServer((req, res) => {
  const call = {conn: req.socket.traceId, method: req.method, path: req.url.replace(/\?.*/, ''), asked: now()};
  calls.push(call);
  const upstream = http.request({socketPath: engineSocket, path: req.url, method: req.method, headers: req.headers, agent}, (answer) => {
    call.answered = now();
    call.status = answer.statusCode;
    res.writeHead(answer.statusCode, answer.headers);
    // A stream (events, attach) answers with headers only: send them now.
    res.flushHeaders();
    answer.pipe(res);
    // The engine's events as they reach the supervisor: die and start matter.
    if (call.path === '/events') answer.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const event = JSON.parse(line);
        events.push({at: now(), text: `  event ${event.Action} ${event.Actor?.Attributes?.['sidecar.service'] ?? event.Actor?.Attributes?.['sidecar.role'] ?? ''}`});
      }
    });
    answer.on('end', () => (call.ended = now()));
  });
  upstream.on('error', (error) => res.destroy(error));
  req.pipe(upstream);
});
proxy.on('connection', (socket) => {
  socket.traceId = ++connections;
});
proxy.keepAliveTimeout = 60_000;
await new Promise((resolve) => proxy.listen(proxySocket, resolve));

function project() {
  const unit = (indent) => `${indent}image: sidecar-test/busybox:1\n${indent}command: ${SERVE}\n${indent}volumes: ["shared:/data"]\n`;
  const side = Array.from({length: sidecars}, (_v, i) => `  side${i + 1}:\n${unit('    ')}`).join('');
  const dir = mkdtempSync(path.join(work, 'stack-'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), `version: 1\nname: trace-stack\napp:\n${unit('  ')}sidecars:\n${side}volumes:\n  shared: {}\n`);
  return dir;
}

function cli(dir, args) {
  const env = {...process.env, DOCKER_HOST: `unix://${proxySocket}`, SIDECAR_INFRA_IMAGE: 'sidecar-test/pause:1', SIDECAR_TRACE_FILE: traceFile, NODE_OPTIONS: `--import ${path.join(root, 'bench/lib/trace-hook.js')}`};
  const started = now();
  // Async spawn: the proxy runs in this process, a spawnSync would block it.
  // bin/run.js as a program, as users run it: `down` is then done by its sh line (bin/down.sh).
  return new Promise((resolve, reject) => {
    const child = spawnAsync(path.join(root, 'bin/run.js'), args, {cwd: dir, env});
    child.on('exit', (code) => (code === 0 ? resolve({started, ended: now()}) : reject(new Error(`${args.join(' ')} exited ${code}: ${child.stderrText}`))));
  });
}

function spawnAsync(command, args, options) {
  const child = spawn(command, args, {...options, stdio: ['ignore', 'ignore', 'pipe']});
  child.stderrText = '';
  child.stderr.on('data', (chunk) => (child.stderrText += chunk));
  return child;
}

const dir = project();
let last;
for (let i = 0; i < runs; i++) {
  calls = [];
  events = [];
  connections = 0;
  writeFileSync(traceFile, '');
  const up = await cli(dir, ['up', '--wait', '--runtime', 'docker']);
  const down = await cli(dir, ['down', '--volumes']);
  last = {up, down, calls, events, marks: readFileSync(traceFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line))};
}
proxy.close();
spawnSync('docker', ['volume', 'rm', '-f', 'trace-stack_shared'], {stdio: 'ignore'});

// One timeline, ms from the `up` command's spawn.
const t0 = last.up.started;
const at = (t) => `${(t - t0).toFixed(1).padStart(7)}`;
const rows = [
  {at: last.up.started, text: 'spawn `sidecar up --wait --runtime docker`'},
  {at: last.up.ended, text: '`up --wait` exited'},
  {at: last.down.started, text: 'spawn `sidecar down --volumes`'},
  {at: last.down.ended, text: '`down` exited'},
  ...last.marks.map((m) => ({at: m.at, text: `[${m.role} ${m.pid}] ${m.what}`})),
  ...last.events,
  ...last.calls.map((c) => ({
    at: c.asked,
    text: `  conn ${String(c.conn).padStart(2)} ${c.method} ${c.path} -> ${c.status ?? '?'} engine ${c.answered ? (c.answered - c.asked).toFixed(1) : '?'} ms${c.ended && c.ended - c.answered > 5 ? ` (stream open ${(c.ended - c.answered).toFixed(0)} ms)` : ''}`,
  })),
].sort((a, b) => a.at - b.at);
console.log(`# docker-trace (${new Date().toISOString()}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}), app + ${sidecars} sidecars, run ${runs} of ${runs}`);
console.log('```');
for (const row of rows) console.log(`${at(row.at)} ms  ${row.text}`);
console.log('```');
const engineMs = last.calls.filter((c) => c.answered && !/\/(events|attach)$/.test(c.path)).reduce((sum, c) => sum + (c.answered - c.asked), 0);
console.log(`up --wait ${(last.up.ended - last.up.started).toFixed(0)} ms, down ${(last.down.ended - last.down.started).toFixed(0)} ms; ${last.calls.length} engine calls over ${new Set(last.calls.map((c) => c.conn)).size} client connections (down's included); engine time of the non-stream calls, summed: ${engineMs.toFixed(0)} ms`);
rmSync(work, {recursive: true, force: true});
// The proxy's kept-alive connections to the engine would hold the process open.
agent.destroy();
proxy.closeAllConnections();
