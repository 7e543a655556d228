// Issue 3 bench (d): three services print 1,000,000 lines together. Every line must
// reach the log files and a `logs -f` client, whole and in order per service.
// Prints lines/s (first line to last line seen by `logs -f`) and the supervisor's peak RSS.
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const programs = path.join(root, 'test/fixtures/programs');
const total = Number(process.env.LINES ?? 1_000_000);
const per = Math.ceil(total / 3);
const lineBytes = 60;
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-bench-flood-'));
const tags = ['f0', 'f1', 'f2'];
const flooders = tags.map((tag) => `  ${tag}:\n    command: [node, ${programs}/flooder.js]\n    env: {LINES: "${per}", LINE_BYTES: "${lineBytes}", TAG: ${tag}}\n    restart: never`).join('\n');
writeFileSync(path.join(dir, 'sidecar.yaml'), `version: 1\nname: flood\nstartup: parallel\napp:\n  command: [node, ${programs}/forever.js]\nsidecars:\n${flooders}\n`);
const bin = path.join(root, 'bin/run.js');
const cli = (...args) => execFileSync(process.execPath, [bin, ...args], {cwd: dir, encoding: 'utf8'});

// Checks one line `<svc> | <tag> <i> ....`: whole, and the next number of its service.
const next = Object.fromEntries(tags.map((t) => [t, 0]));
let bad = 0;
let seen = 0;
let first = 0;
let last = 0;
const check = (service, text) => {
  const [tag, index, dots] = text.split(' ');
  if (tag !== service || Number(index) !== next[service] || `${tag} ${index} ${dots}`.length !== lineBytes) bad++;
  else next[service]++;
};

cli('up', '-d', '--runtime', 'process');
const {pid} = JSON.parse(readFileSync(path.join(dir, '.sidecar/supervisor.json'), 'utf8'));
const peak = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const follower = spawn(process.execPath, [bin, 'logs', '-f', ...tags], {cwd: dir, env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'inherit']});
let rest = '';
await new Promise((resolve) => {
  follower.stdout.setEncoding('utf8');
  follower.stdout.on('data', (chunk) => {
    const now = performance.now();
    if (!first) first = now;
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      const bar = line.indexOf(' | ');
      check(line.slice(0, bar).trim(), line.slice(bar + 3));
      seen++;
    }
    last = now;
    if (seen >= per * 3) resolve();
  });
  setTimeout(resolve, 120_000);
});
const peakMb = peak();
follower.kill();
cli('down');

// The files: current + rotated, oldest first.
let inFiles = 0;
for (const tag of tags) {
  for (const suffix of ['.2', '.1', '']) {
    const file = path.join(dir, `.sidecar/logs/${tag}.log${suffix}`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.includes(` ${tag} `)) inFiles++;
  }
}
const seconds = (last - first) / 1000;
console.log(`log flood: 3 services x ${per} lines of ${lineBytes} bytes`);
console.log(`  logs -f received ${seen} lines, ${bad} out of order or broken; log files hold ${inFiles}`);
console.log(`  ${Math.round(seen / seconds).toLocaleString('en')} lines/s through the supervisor to logs -f (${seconds.toFixed(2)}s)`);
console.log(`  supervisor peak RSS ${peakMb.toFixed(1)} MB (goal >= 200k lines/s)`);
