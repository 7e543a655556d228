// Issue 13.5: 50 sidecars and an app ready in order, through the CLI: `up --wait`
// (each sidecar started once the previous one runs; no probes, so running is
// ready) and `down`, on the process runtime and under Docker (sidecar-test/busybox:1,
// infra sidecar-test/pause:1). Goals: process <= 1.2 s, Docker <= 4 s for `up --wait`.
// Env: RUNS (default 3), SIDECARS (default 50), SKIP=docker|process.
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {fmt, median, timeCommand} from './lib/stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const runs = Number(process.env.RUNS ?? 3);
const count = Number(process.env.SIDECARS ?? 50);
const skip = new Set((process.env.SKIP ?? '').split(',').filter(Boolean));
process.env.SIDECAR_INFRA_IMAGE ??= 'sidecar-test/pause:1';
// Exits at once on SIGTERM; `sleep` in the background so the shell can take the signal.
const SERVE = JSON.stringify(['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done']).replaceAll('$', '$$$$');

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

function measure(runtime, goalMs) {
  const dir = project(runtime);
  const up = [];
  const total = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const u = timeCommand(cli(dir, ['up', '--wait', '--runtime', runtime]), {cwd: dir});
      const d = timeCommand(cli(dir, ['down']), {cwd: dir});
      // The first run warms caches (and creates .sidecar/): not counted.
      if (i === 0) continue;
      up.push(u);
      total.push(u + d);
    }
  } finally {
    timeCommand(cli(dir, ['down']), {cwd: dir, expectStatus: 0});
  }
  const met = median(up) <= goalMs ? 'met' : 'not met';
  console.log(`${runtime}: ${count} sidecars + app, ${runs} runs: up --wait median ${fmt(median(up))} (min ${fmt(Math.min(...up))}), up + down ${fmt(median(total))}; goal <= ${goalMs} ms: ${met}`);
}

console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, ${os.cpus().length} cpus`);
if (!skip.has('process')) measure('process', 1200);
if (!skip.has('docker')) measure('docker', 4000);
