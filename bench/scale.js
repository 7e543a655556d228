// Issue 13.5: 50 sidecars and an app ready in order, through the CLI: `up --wait`
// (each sidecar started once the previous one runs; no probes, so running is
// ready) and `down`, on the process runtime and under Docker (sidecar-test/busybox:1,
// infra sidecar-test/pause:1). Goals: process <= 1.2 s, Docker <= 4 s for `up --wait`.
// Docker's runs alternate with the engine's own floor for the same topology
// (bench/lib/docker-start-floor.js: pre-created containers started one after
// another through the API, and a `docker run -d` loop), each printed as a ratio.
// Env: RUNS (default 3), SIDECARS (default 50), SKIP=docker|process|floor.
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {cliFloor, engineFloor} from './lib/docker-start-floor.js';
import {fmt, median, timeCommand} from './lib/stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const runs = Number(process.env.RUNS ?? 3);
const count = Number(process.env.SIDECARS ?? 50);
const skip = new Set((process.env.SKIP ?? '').split(',').filter(Boolean));
process.env.SIDECAR_INFRA_IMAGE ??= 'sidecar-test/pause:1';
// Exits at once on SIGTERM; `sleep` in the background so the shell can take the signal.
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];
const SERVE = JSON.stringify(COMMAND).replaceAll('$', '$$$$');

function project(runtime) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sidecar-bench-scale-${runtime}-`));
  const image = runtime === 'docker' ? '    image: sidecar-test/busybox:1\n' : '';
  const unit = (indent) => `${indent}command: ${SERVE}\n${image.replaceAll('    ', indent)}${indent}stopTimeout: 2s\n`;
  const sidecars = Array.from({length: count}, (_v, i) => `  s${String(i + 1).padStart(2, '0')}:\n${unit('    ')}`).join('');
  writeFileSync(path.join(dir, 'sidecar.yaml'), `version: 1\nname: scale-${runtime}\napp:\n${unit('  ')}sidecars:\n${sidecars}`);
  return dir;
}

// The installed `sidecar` command: bin/run.js run as a program, not `node bin/run.js`.
const cli = (dir, args) => [path.join(root, 'bin/run.js'), ...args, '-f', path.join(dir, 'sidecar.yaml')];

// The engine's floor for the same containers (sidecars + app), alternated with sidecar's runs.
const floors = {
  engine: (i) => engineFloor({count: count + 1, image: 'sidecar-test/busybox:1', infraImage: process.env.SIDECAR_INFRA_IMAGE, command: COMMAND, tag: `sidecar-bench-floor-${process.pid}-${i}`}),
  'docker run loop': (i) => cliFloor({count: count + 1, image: 'sidecar-test/busybox:1', infraImage: process.env.SIDECAR_INFRA_IMAGE, command: COMMAND, tag: `sidecar-bench-cli-${process.pid}-${i}`}),
};

async function measure(runtime, goalMs) {
  const dir = project(runtime);
  const up = [];
  const total = [];
  const floor = runtime === 'docker' && !skip.has('floor') ? {engine: [], 'docker run loop': []} : {};
  try {
    for (let i = 0; i <= runs; i++) {
      const u = timeCommand(cli(dir, ['up', '--wait', '--runtime', runtime]), {cwd: dir});
      const d = timeCommand(cli(dir, ['down']), {cwd: dir});
      const other = {};
      for (const name of Object.keys(floor)) other[name] = await floors[name](i);
      // The first run warms caches (and creates .sidecar/): not counted.
      if (i === 0) continue;
      up.push(u);
      total.push(u + d);
      for (const [name, ms] of Object.entries(other)) floor[name].push(ms);
    }
  } finally {
    timeCommand(cli(dir, ['down']), {cwd: dir, expectStatus: 0});
  }
  const met = median(up) <= goalMs ? 'met' : 'not met';
  console.log(`${runtime}: ${count} sidecars + app, ${runs} runs: up --wait median ${fmt(median(up))} (min ${fmt(Math.min(...up))}), up + down ${fmt(median(total))}; goal <= ${goalMs} ms: ${met}`);
  for (const [name, list] of Object.entries(floor)) {
    console.log(`  ${name}: infra + ${count + 1} containers started one after another, median ${fmt(median(list))}; sidecar up --wait / this: ${(median(up) / median(list)).toFixed(2)}x`);
  }
  console.log(`  load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, ${os.cpus().length} cpus`);
if (!skip.has('process')) await measure('process', 1200);
if (!skip.has('docker')) await measure('docker', 4000);
