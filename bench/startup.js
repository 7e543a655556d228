// Start-up time of the CLI (issue 2 point 10): median wall time of
// `sidecar --version`, `sidecar validate` and `sidecar generate k8s` on the
// quickstart, each as a ratio to bare `node -e 0` measured alternately in the
// same run, so machine noise hits both sides alike.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {fmt, median, timeCommand} from './lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'run.js');
const manifest = path.join(root, 'examples', 'quickstart', 'sidecar.yaml');
const runs = Number(process.env.BENCH_RUNS ?? 30);

const cases = [
  {name: '--version', argv: [process.execPath, bin, '--version'], goal: 1.5},
  {name: 'validate', argv: [process.execPath, bin, 'validate', '-f', manifest], goal: 2},
  {name: 'generate k8s', argv: [process.execPath, bin, 'generate', 'k8s', '-f', manifest], goal: undefined},
];
const baseline = [process.execPath, '-e', '0'];

// Warm the file cache once so the first sample is not an outlier.
for (const c of cases) timeCommand(c.argv);
timeCommand(baseline);

const rows = [];
for (const c of cases) {
  const base = [];
  const mine = [];
  for (let i = 0; i < runs; i++) {
    base.push(timeCommand(baseline));
    mine.push(timeCommand(c.argv));
  }
  const ratio = median(mine) / median(base);
  rows.push({name: c.name, node: median(base), cli: median(mine), ratio, goal: c.goal});
}

console.log(`sidecar start-up, ${runs} alternated runs each, node ${process.version}`);
console.log('| command | median | bare node median | ratio | goal |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| \`sidecar ${r.name}\` | ${fmt(r.cli)} | ${fmt(r.node)} | ${r.ratio.toFixed(2)}x | ${r.goal ? `<= ${r.goal}x` : '-'} |`);
}
