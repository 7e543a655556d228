// Issue 3 bench (b): the quickstart's three programs, `sidecar up --wait` + `sidecar down`
// (process runtime) vs a bash script that starts the same programs in the same
// order, polls each one's port before the next, then kills them and waits.
// Same run, alternated; prints medians and the ratio (goal <= 1.5x, issue 13).
// BASE=/another/checkout (built) adds its CLI as a third side, alternated with the
// other two in the same run: an A/B of two versions on a machine whose speed moves.
import {cpSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {fmt, median, timeCommand} from './lib/stats.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const base = process.env.BASE ? path.resolve(process.env.BASE) : undefined;
const runs = Number(process.env.RUNS ?? 9);
// A copy of the quickstart per side that runs it (its own .sidecar/).
const quickstart = (name) => {
  const copy = mkdtempSync(path.join(os.tmpdir(), `sidecar-bench-updown-${name}-`));
  cpSync(path.join(root, 'examples/quickstart'), copy, {recursive: true, filter: (src) => !src.includes('.sidecar')});
  mkdirSync(path.join(copy, '.sidecar/volumes/logs'), {recursive: true});
  return copy;
};
const dir = quickstart('this');
const baseDir = base ? quickstart('base') : undefined;
const logs = path.join(dir, '.sidecar/volumes/logs');

// The same programs, env and order as the manifest; readiness by polling ports.
const script = path.join(dir, 'by-hand.sh');
writeFileSync(
  script,
  `#!/usr/bin/env bash
set -u
cd ${dir}
wait_port() { until (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; do sleep 0.01; done; }
HOST=127.0.0.1 PORT=18080 UPSTREAM_PORT=18081 node proxy/proxy.js >/dev/null 2>&1 & p1=$!
wait_port 18080
HOST=127.0.0.1 PORT=18090 LOG_DIR=${logs} node tailer/tailer.js >/dev/null 2>&1 & p2=$!
wait_port 18090
HOST=127.0.0.1 PORT=18081 LOG_DIR=${logs} node app/server.js >/dev/null 2>&1 & p3=$!
wait_port 18081
kill $p3; wait $p3 2>/dev/null; kill $p2 $p1; wait $p2 $p1 2>/dev/null
exit 0
`,
  {mode: 0o755},
);

// The installed `sidecar` command: bin/run.js run as a program (its first line picks how Node starts), not `node bin/run.js`.
const cli = (args, at = root, project = dir) => [path.join(at, 'bin/run.js'), ...args, '-f', path.join(project, 'sidecar.yaml')];
const upDown = (at, project) => timeCommand(cli(['up', '--wait', '--runtime', 'process'], at, project), {cwd: project}) + timeCommand(cli(['down'], at, project), {cwd: project});
const sidecar = () => upDown(root, dir);
const byHand = () => timeCommand(['bash', script], {cwd: dir});

const ours = [];
const theirs = [];
const based = [];
try {
  sidecar();
  byHand();
  if (base) upDown(base, baseDir);
  for (let i = 0; i < runs; i++) {
    ours.push(sidecar());
    theirs.push(byHand());
    if (base) based.push(upDown(base, baseDir));
  }
} finally {
  // Never leave the stack behind when a run fails.
  timeCommand(cli(['down']), {cwd: dir});
  if (base) timeCommand(cli(['down'], base, baseDir), {cwd: baseDir});
}
const ratio = median(ours) / median(theirs);
console.log(`up --wait + down (quickstart, process runtime), ${runs} runs alternated`);
console.log(`  sidecar up --wait + down   median ${fmt(median(ours))}  (min ${fmt(Math.min(...ours))})`);
console.log(`  bash: start + poll + kill  median ${fmt(median(theirs))}  (min ${fmt(Math.min(...theirs))})`);
console.log(`  ratio ${ratio.toFixed(2)}x (goal <= 1.5x, issue 13)`);
// Per round (the sides of one round ran within ~2 s of each other): the machine's
// speed drifts between rounds more than within one, so paired figures show a
// small difference that the medians of whole columns hide.
const paired = ours.map((ms, i) => ms / theirs[i]);
console.log(`  per round: median ratio ${median(paired).toFixed(2)}x (rounds at or under 1.5x: ${paired.filter((r) => r <= 1.5).length} of ${runs})`);
if (base) {
  console.log(`  BASE ${base}: median ${fmt(median(based))}, ${(median(based) / median(theirs)).toFixed(2)}x the same floor`);
  const deltas = ours.map((ms, i) => ms - based[i]);
  console.log(`  this - BASE per round: median ${deltas.length ? median(deltas).toFixed(1) : '-'} ms (this faster in ${deltas.filter((d) => d < 0).length} of ${runs})`);
}
