// Issue 13.6: the quickstart's three programs brought up ready and torn down, by
// sidecar and by its peers, in one run, alternated, against the bash floor (start
// in order, poll each port every 10 ms, kill). Peers are installed here, at run
// time, into a cache under os.tmpdir(), never as project dependencies: pm2,
// concurrently and wait-on with `npm install --prefix`, supervisord from apt
// (skipped with a message when it cannot be installed). Prints medians and every
// ratio against the bash floor. RUNS (default 7), PEERS_CACHE to move the cache.
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {fmt, median} from './lib/stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const runs = Number(process.env.RUNS ?? 7);
const cache = process.env.PEERS_CACHE ?? path.join(os.tmpdir(), 'sidecar-bench-peers');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-bench-peers-run-'));
cpSync(path.join(root, 'examples/quickstart'), dir, {recursive: true, filter: (src) => !src.includes('.sidecar')});
const logs = path.join(dir, '.sidecar/volumes/logs');
mkdirSync(logs, {recursive: true});
const PORTS = [18080, 18090, 18081];
// The quickstart's programs, env and order (sidecar.yaml, process runtime).
const programs = [
  {name: 'proxy', script: 'proxy/proxy.js', env: {HOST: '127.0.0.1', PORT: '18080', UPSTREAM_PORT: '18081'}},
  {name: 'tailer', script: 'tailer/tailer.js', env: {HOST: '127.0.0.1', PORT: '18090', LOG_DIR: logs}},
  {name: 'app', script: 'app/server.js', env: {HOST: '127.0.0.1', PORT: '18081', LOG_DIR: logs}},
];
const envWords = (env) => Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
const node = process.execPath;

function run(argv, options = {}) {
  const result = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8', ...options});
  return {ok: result.status === 0, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim()};
}

// --- peers, installed on first use ------------------------------------------------
function installNpmPeers() {
  const wanted = ['pm2', 'concurrently', 'wait-on'];
  if (wanted.every((p) => existsSync(path.join(cache, 'node_modules', p, 'package.json')))) return true;
  mkdirSync(cache, {recursive: true});
  console.log(`installing ${wanted.join(', ')} into ${cache} (npm install --prefix) ...`);
  const npm = run(['npm', 'install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', ...wanted], {stdio: 'inherit'});
  return npm.ok;
}

function findSupervisord() {
  const which = run(['sh', '-c', 'command -v supervisord && command -v supervisorctl']);
  if (which.ok) return true;
  if (process.getuid?.() !== 0) return false;
  console.log('installing supervisor (apt-get install -y supervisor) ...');
  let apt = run(['apt-get', 'install', '-y', '--no-install-recommends', 'supervisor'], {env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}});
  if (!apt.ok) {
    run(['apt-get', 'update'], {env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}});
    apt = run(['apt-get', 'install', '-y', '--no-install-recommends', 'supervisor'], {env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}});
  }
  // The package starts its own system service: this bench runs its own supervisord.
  run(['sh', '-c', 'service supervisor stop >/dev/null 2>&1 || true']);
  return apt.ok && run(['sh', '-c', 'command -v supervisord']).ok;
}

// --- one script per side: bring the three up ready, then down ---------------------
const bashHead = `#!/usr/bin/env bash\nset -u\ncd ${dir}\nwait_port() { until (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; do sleep 0.01; done; }\n`;
const scripts = {};
function script(name, body) {
  const file = path.join(dir, `${name}.sh`);
  writeFileSync(file, `${bashHead}${body}\nexit 0\n`, {mode: 0o755});
  scripts[name] = file;
}

script(
  'bash',
  `${programs.map((p, i) => `${envWords(p.env)} ${node} ${p.script} >/dev/null 2>&1 & p${i}=$!\nwait_port ${p.env.PORT}`).join('\n')}
kill $p2; wait $p2 2>/dev/null; kill $p1 $p0; wait $p1 $p0 2>/dev/null`,
);

// The installed `sidecar` command: bin/run.js run as a program, not `node bin/run.js`.
const sidecarCli = path.join(root, 'bin/run.js');
script('sidecar', `${sidecarCli} up --wait --runtime process >/dev/null || exit 1\n${sidecarCli} down >/dev/null || exit 1`);

function npmPeerScripts() {
  const bin = (pkg, file) => `${node} ${path.join(cache, 'node_modules', pkg, file)}`;
  // concurrently has no start order; wait-on polls all three ports every 10 ms (as the floor does).
  const commands = programs.map((p) => `"${envWords(p.env)} ${node} ${p.script}"`).join(' ');
  script(
    'concurrently',
    `${bin('concurrently', 'dist/bin/concurrently.js')} --raw ${commands} >/dev/null 2>&1 & c=$!
${bin('wait-on', 'bin/wait-on')} --interval 10 ${PORTS.map((p) => `tcp:127.0.0.1:${p}`).join(' ')} || exit 1
kill $c; wait $c 2>/dev/null`,
  );
  // pm2 starts its daemon and every app at once; readiness by polling the ports.
  const ecosystem = path.join(dir, 'ecosystem.config.cjs');
  writeFileSync(ecosystem, `module.exports = {apps: ${JSON.stringify(programs.map((p) => ({name: p.name, script: p.script, cwd: dir, env: p.env, autorestart: true})))}};\n`);
  script(
    'pm2',
    `export PM2_HOME=${path.join(dir, '.pm2')}
${bin('pm2', 'bin/pm2')} start ${ecosystem} >/dev/null 2>&1 || exit 1
${PORTS.map((p) => `wait_port ${p}`).join('\n')}
${bin('pm2', 'bin/pm2')} kill >/dev/null 2>&1 || exit 1`,
  );
}

function supervisordScript() {
  const conf = path.join(dir, 'supervisord.conf');
  const sock = path.join(dir, 'supervisor.sock');
  const pidfile = path.join(dir, 'supervisord.pid');
  writeFileSync(
    conf,
    `[unix_http_server]\nfile=${sock}\n\n[supervisord]\nlogfile=${path.join(dir, 'supervisord.log')}\npidfile=${pidfile}\nchildlogdir=${dir}\n\n` +
      `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\nserverurl=unix://${sock}\n\n` +
      programs.map((p, i) => `[program:${p.name}]\ncommand=${node} ${p.script}\ndirectory=${dir}\nenvironment=${Object.entries(p.env).map(([k, v]) => `${k}="${v}"`).join(',')}\npriority=${i + 1}\nstartsecs=0\nstopasgroup=true\n`).join('\n'),
  );
  // supervisord starts by priority without waiting for readiness; shutdown returns
  // once it was asked, so the script waits for its pid to go.
  script(
    'supervisord',
    `supervisord -c ${conf} || exit 1
${PORTS.map((p) => `wait_port ${p}`).join('\n')}
pid=$(cat ${pidfile})
supervisorctl -c ${conf} shutdown >/dev/null || exit 1
while kill -0 $pid 2>/dev/null; do sleep 0.01; done`,
  );
}

// --- the run ----------------------------------------------------------------------
function portsFree() {
  return PORTS.every((port) => run(['bash', '-c', `! (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null`]).ok);
}

function timeSide(name) {
  const deadline = Date.now() + 10_000;
  while (!portsFree()) {
    if (Date.now() > deadline) throw new Error(`before ${name}: the quickstart's ports are still taken (a side left something running)`);
    spawnSync('sleep', ['0.05']);
  }
  const start = process.hrtime.bigint();
  const result = run(['bash', scripts[name]], {cwd: dir});
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!result.ok) throw new Error(`${name} failed: ${result.out.slice(-2000)}`);
  return ms;
}

const skipped = [];
if (installNpmPeers()) npmPeerScripts();
else skipped.push('pm2, concurrently + wait-on (npm install failed)');
if (findSupervisord()) supervisordScript();
else skipped.push('supervisord (not installed and apt-get install supervisor failed or not root)');

const sides = Object.keys(scripts);
const times = Object.fromEntries(sides.map((s) => [s, []]));
const loads = [];
try {
  for (const side of sides) timeSide(side);
  for (let i = 0; i < runs; i++) {
    loads.push(os.loadavg()[0]);
    // Alternate the order each round so that machine noise hits every side alike.
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) times[side].push(timeSide(side));
  }
} finally {
  run(['bash', '-c', `${sidecarCli} down -f ${path.join(dir, 'sidecar.yaml')} >/dev/null 2>&1`]);
}

const floor = median(times.bash);
const labels = {
  bash: 'bash: start in order, poll each port every 10 ms, kill',
  sidecar: 'sidecar up --wait + down',
  concurrently: 'concurrently + wait-on --interval 10 (no start order)',
  pm2: 'pm2 start + poll + pm2 kill',
  supervisord: 'supervisord + poll + supervisorctl shutdown',
};
console.log(`quickstart (3 programs) up ready + down, ${runs} runs alternated, load average ${fmt1(median(loads))} (${fmt1(Math.min(...loads))}-${fmt1(Math.max(...loads))})`);
console.log('| who | median | min | vs bash floor |');
console.log('|---|---|---|---|');
for (const side of [...sides].sort((a, b) => median(times[a]) - median(times[b]))) {
  console.log(`| ${labels[side]} | ${fmt(median(times[side]))} | ${fmt(Math.min(...times[side]))} | ${(median(times[side]) / floor).toFixed(2)}x |`);
}
for (const s of skipped) console.log(`skipped: ${s}`);

function fmt1(n) {
  return n.toFixed(2);
}
