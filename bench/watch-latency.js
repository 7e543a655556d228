// Issue 11.7 (process runtime part): save -> new answer latency of `up --watch`,
// median over BENCH_RUNS saves, beside the app's own start time (spawn -> first
// answer, measured alone in the same run). nodemon is not installed here, so the
// comparison with it is not made.
import {execFileSync, spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {fmt, median} from './lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'run.js');
const runs = Number(process.env.BENCH_RUNS ?? 10);
const port = await new Promise((resolve) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const {port: free} = server.address();
    server.close(() => resolve(free));
  });
});
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
const answer = () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => undefined);
const until = async (want) => {
  for (;;) {
    if ((await answer()) === want) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

const own = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  const child = spawn(process.execPath, ['src/server.cjs'], {cwd: dir, stdio: 'ignore'});
  await until('v0');
  own.push(performance.now() - t);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

execFileSync(process.execPath, [bin, 'up', '--wait', '--watch', '--runtime', 'process'], {cwd: dir, stdio: 'ignore'});
const saves = [];
try {
  for (let i = 1; i <= runs; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const t = performance.now();
    writeFileSync(path.join(dir, 'src/message.txt'), `v${i}`);
    await until(`v${i}`);
    saves.push(performance.now() - t);
  }
} finally {
  execFileSync(process.execPath, [bin, 'down'], {cwd: dir, stdio: 'ignore'});
  rmSync(dir, {recursive: true, force: true});
}
const saveMs = median(saves);
const ownMs = median(own);
console.log(`save -> new answer: median ${fmt(saveMs)} over ${runs} saves; the app's own start ${fmt(ownMs)}; beyond it ${fmt(saveMs - ownMs)} (goal <= 150 ms, of which 100 ms is the quiet period)`);
