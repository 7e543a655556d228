#!/usr/bin/env node
// Issue 3 point 10a: kill -9 of a sidecar -> replacement running.
// Goals: exit detected within 50ms, first restart running within 250ms + 30ms.
// Needs the build: `npx tsc -p tsconfig.build.json`. Usage: node bench/kill-restart.js [runs]
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const {Supervisor} = await import(path.join(root, 'dist/supervisor/supervisor.js'));
const {ProcessRuntime} = await import(path.join(root, 'dist/runtime/process/process-runtime.js'));

const runs = Number(process.argv[2] ?? 20);
const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-bench-'));
const forever = path.join(root, 'test/fixtures/programs/forever.js');

function unit(name, role) {
  return {
    name, pod: 'bench', id: name, role, command: [process.execPath, forever], workdir: dir, env: {}, ports: [], volumes: [],
    restart: role === 'app' ? 'on-failure' : 'always', stopSignal: 'SIGTERM', stopTimeoutMs: 2000, after: [], process: {env: {}}, watch: [],
  };
}
// The single-pod form: a stack of one pod named after the project.
const pod = {name: 'bench', startup: 'ordered', after: [], app: unit('app', 'app'), sidecars: [unit('proxy', 'sidecar')], init: []};
const manifest = {version: 1, name: 'bench', file: path.join(dir, 'sidecar.yaml'), dir, form: 'single', pods: [pod], volumes: {}};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const detection = [];
const restart = [];
const overhead = [];
const printed = [];
for (let i = 0; i < runs; i++) {
  // A fresh supervisor per run: each kill measures the first restart (250ms backoff).
  const supervisor = new Supervisor({manifest, runtime: new ProcessRuntime()});
  await supervisor.start();
  const pid = supervisor.status().find((s) => s.name === 'proxy').pid;
  // Let the sidecar finish booting so the kill hits a settled process.
  await new Promise((r) => setTimeout(r, 150));
  const times = {};
  const done = new Promise((resolve) => {
    supervisor.on('event', (e) => {
      if (e.service !== 'proxy') return;
      if (e.type === 'exit' && times.exit === undefined) times.exit = performance.now();
      // The drawn backoff (250ms ±10% jitter), so the supervisor's own cost shows apart from it.
      if (e.type === 'restart' && times.delay === undefined) times.delay = Number(/in (\d+)ms/.exec(e.detail)?.[1]);
      if (e.type === 'state' && e.to === 'running' && times.exit !== undefined) times.running = performance.now();
    });
    supervisor.on('log', (l) => {
      if (l.service === 'proxy' && times.running !== undefined && l.line.startsWith('started')) {
        times.printed = performance.now();
        resolve();
      }
    });
  });
  const killedAt = performance.now();
  process.kill(pid, 'SIGKILL');
  await done;
  detection.push(times.exit - killedAt);
  restart.push(times.running - killedAt);
  overhead.push(times.running - killedAt - times.delay);
  printed.push(times.printed - killedAt);
  await supervisor.stop();
}
const fmt = (x) => `${x.toFixed(1)}ms`;
console.log(`runs: ${runs}`);
console.log(`exit detection latency   median ${fmt(median(detection))}  max ${fmt(Math.max(...detection))}  (goal <= 50ms)`);
console.log(`kill -> running (spawned) median ${fmt(median(restart))}  max ${fmt(Math.max(...restart))}  (goal <= 280ms; backoff is 250ms ±10%)`);
console.log(`  of which not the backoff delay: median ${fmt(median(overhead))}  max ${fmt(Math.max(...overhead))}  (detection + spawn + timer lateness)`);
console.log(`kill -> first output line median ${fmt(median(printed))}  (includes node start-up of the fixture)`);
