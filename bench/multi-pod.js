// Issue 10 point 9: several pods. `sidecar up --wait` + `sidecar down` of
//   single:   1 pod x 3 services (the single-pod form: app + 2 sidecars)
//   parallel: 3 pods x 3 services, no `after` (independent pods)
//   chained:  3 pods x 3 services, pod b `after: [a]`, c `after: [b]`
// under the process runtime and Docker, and the parallel stack under
// docker-compose v1 from `sidecar generate compose`. Every service is a tiny
// node server gated on a TCP probe, so each start costs a real spawn plus a
// readiness wait. Same run, alternated, medians; the ratios answer:
//   - linear?   3-pod stack / (3 x single): <= 1 means a pod costs no more
//               than a stack of its own (fixed costs are paid once);
//   - parallel? up of the independent pods / up of the chained ones: well
//               under 1 when independent pods start together.
// Env: BENCH_RUNS (default 5), BENCH_SKIP=process,docker,compose (compose runs
// alternated with the Docker runtime, so skipping docker skips it too)
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {fmt, median} from './lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/run.js');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const NODE = 'sidecar-test/node:20';
const PAUSE = 'sidecar-test/pause:1';
const now = () => performance.now();

// A service: listens on PORT, says when (epoch ms, one clock for host and
// containers), leaves at once on SIGTERM.
const SERVE_JS = `import http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => console.log('listening at', Date.now()));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
`;

function run(argv, options = {}) {
  const result = spawnSync(argv[0], argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options});
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout.trim();
}

function timed(argv, options) {
  const started = now();
  run(argv, options);
  return now() - started;
}

// One service in YAML: the same program under both runtimes, every port
// unique across the stack (the process runtime shares the host's loopback).
function serviceYaml(indent, port) {
  const pad = ' '.repeat(indent);
  return [
    `${pad}image: ${NODE}`,
    `${pad}command: [node, /bench/serve.mjs]`,
    `${pad}env: {HOST: 0.0.0.0, PORT: "${port}"}`,
    `${pad}volumes: ["./:/bench:ro"]`,
    `${pad}process: {command: [node, serve.mjs], env: {HOST: 127.0.0.1}}`,
    // Generous timings: compose runs the TCP check as `node -e` in the container, slow on a loaded machine.
    `${pad}health: {tcp: {port: ${port}}, timeout: 5s, startPeriod: 60s}`,
  ];
}

// Three services: app + 2 sidecars, ports base, base+1, base+2.
function podYaml(indent, base) {
  const pad = ' '.repeat(indent);
  return [`${pad}app:`, ...serviceYaml(indent + 2, base), `${pad}sidecars:`,
    `${pad}  s1:`, ...serviceYaml(indent + 4, base + 1), `${pad}  s2:`, ...serviceYaml(indent + 4, base + 2)];
}

function stackYaml(shape, name, base) {
  const lines = ['version: 1', `name: ${name}`];
  if (shape === 'single') lines.push(...podYaml(0, base));
  else {
    lines.push('pods:');
    for (const [index, pod] of ['a', 'b', 'c'].entries()) {
      lines.push(`  ${pod}:`);
      if (shape === 'chained' && index > 0) lines.push(`    after: [${['a', 'b'][index - 1]}]`);
      lines.push(...podYaml(4, base + index * 10));
    }
  }
  lines.push('volumes: {}', '');
  return lines.join('\n');
}

function project(shape, runtime, base) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-pods-${shape}-`));
  const name = `bp-${runtime}-${shape}-${path.basename(dir).slice(-6).toLowerCase()}`;
  writeFileSync(path.join(dir, 'serve.mjs'), SERVE_JS);
  writeFileSync(path.join(dir, 'sidecar.yaml'), stackYaml(shape, name, base));
  return {dir, name, shape};
}

// When each pod's first service listened, from the services' own lines in
// `sidecar logs`: the spread between pods is ~0 when independent pods start
// together, and about two pods' start-up when each waits for the one before.
function podSpread(stack) {
  if (stack.shape === 'single') return 0;
  const firsts = ['a', 'b', 'c'].map((pod) => {
    const text = run([process.execPath, bin, 'logs', `${pod}/s1`], {cwd: stack.dir});
    const match = /listening at (\d+)/.exec(text);
    if (!match) throw new Error(`no start line from ${pod}/s1 in:\n${text}`);
    return Number(match[1]);
  });
  return Math.max(...firsts) - Math.min(...firsts);
}

function sidecarUpDown(stack, runtime) {
  const up = timed([process.execPath, bin, 'up', '--wait', '--runtime', runtime], {cwd: stack.dir});
  const spread = podSpread(stack);
  const down = timed([process.execPath, bin, 'down'], {cwd: stack.dir});
  return {up, total: up + down, spread};
}

function composeFile(stack) {
  const file = path.join(stack.dir, 'docker-compose.yml');
  run([process.execPath, bin, 'generate', 'compose', '-f', path.join(stack.dir, 'sidecar.yaml'), '-o', file], {cwd: stack.dir, env: {...process.env, SIDECAR_INFRA_IMAGE: PAUSE}});
  return file;
}

function composeUpDown(stack, file) {
  const compose = ['docker-compose', '-p', stack.name, '-f', file];
  const up = timed([...compose, 'up', '-d'], {cwd: stack.dir});
  const down = timed([...compose, 'down', '-v', '--timeout', '10'], {cwd: stack.dir});
  return {up, total: up + down};
}

// Alternates every side once per round, after one warm-up round not counted.
function measure(sides) {
  const samples = new Map(sides.map((side) => [side.label, []]));
  for (const side of sides) side.once();
  for (let i = 0; i < runs; i++) for (const side of sides) samples.get(side.label).push(side.once());
  const medians = new Map();
  for (const [label, list] of samples) medians.set(label, {up: median(list.map((s) => s.up)), total: median(list.map((s) => s.total)), spread: median(list.map((s) => s.spread ?? 0))});
  return medians;
}

function report(title, medians, threeLabels) {
  const single = medians.get('single');
  console.log(`\n## ${title} (${runs} runs each, alternated; medians)`);
  console.log('| stack | up --wait | up + down | / (3 x single), up + down |');
  console.log('|---|---|---|---|');
  for (const [label, m] of medians) {
    const scaled = label === 'single' ? '-' : `${(m.total / (3 * single.total)).toFixed(2)}x`;
    console.log(`| ${label} | ${fmt(m.up)} | ${fmt(m.total)} | ${scaled} |`);
  }
  const [parallel, chained] = threeLabels.map((label) => medians.get(label));
  if (parallel && chained) {
    console.log(`  independent pods vs chained by after, up --wait: ${(parallel.up / chained.up).toFixed(2)}x`);
    console.log(`  first service of each pod listening, spread between pods: independent ${fmt(parallel.spread)}, chained ${fmt(chained.spread)}`);
    console.log(`  each further pod adds to up --wait: independent ${fmt((parallel.up - single.up) / 2)}, chained ${fmt((chained.up - single.up) / 2)} (single pod: ${fmt(single.up)})`);
  }
}

const cleanups = [];
function cleanupAll() {
  for (const cleanup of cleanups.reverse()) {
    try {
      cleanup();
    } catch {
      // best effort: the stack may already be down
    }
  }
}

function sidecarSides(runtime, base) {
  return ['single', 'parallel', 'chained'].map((shape, index) => {
    const stack = project(shape, runtime, base + index * 100);
    cleanups.push(() => {
      spawnSync(process.execPath, [bin, 'down'], {cwd: stack.dir});
      rmSync(stack.dir, {recursive: true, force: true});
    });
    return {label: shape, once: () => sidecarUpDown(stack, runtime)};
  });
}

function composeSides(base) {
  return ['single', 'parallel', 'chained'].map((shape, index) => {
    const stack = project(shape, 'compose', base + index * 100);
    const file = composeFile(stack);
    cleanups.push(() => {
      spawnSync('docker-compose', ['-p', stack.name, '-f', file, 'down', '-v', '--timeout', '2']);
      rmSync(stack.dir, {recursive: true, force: true});
    });
    return {label: `compose ${shape}`, once: () => composeUpDown(stack, file)};
  });
}

function reportCompose(medians) {
  console.log(`\n## docker-compose v1 on the generated file vs sidecar's Docker runtime (${runs} runs each, alternated with the above; medians)`);
  console.log('| stack | compose up -d | compose up + down | sidecar up + down | sidecar / compose, up + down |');
  console.log('|---|---|---|---|---|');
  for (const shape of ['single', 'parallel', 'chained']) {
    const c = medians.get(`compose ${shape}`);
    const s = medians.get(shape);
    console.log(`| ${shape} | ${fmt(c.up)} | ${fmt(c.total)} | ${fmt(s.total)} | ${(s.total / c.total).toFixed(2)}x |`);
  }
  const single = medians.get('compose single').total;
  console.log(`  compose, / (3 x single), up + down: parallel ${(medians.get('compose parallel').total / (3 * single)).toFixed(2)}x, chained ${(medians.get('compose chained').total / (3 * single)).toFixed(2)}x`);
  console.log(`  compose, independent pods vs chained, up -d: ${(medians.get('compose parallel').up / medians.get('compose chained').up).toFixed(2)}x`);
}

console.log(`# Several pods: up --wait + down (${new Date().toISOString()}, ${os.cpus().length} cpus, node ${process.version})`);
try {
  if (!skip.has('process')) report('process runtime', measure(sidecarSides('process', 19100)), ['parallel', 'chained']);
  if (!skip.has('docker')) {
    process.env.SIDECAR_INFRA_IMAGE ??= PAUSE;
    const withCompose = !skip.has('compose');
    console.log(`\ndocker ${run(['docker', 'version', '--format', '{{.Server.Version}}'])}${withCompose ? `, docker-compose ${run(['docker-compose', 'version', '--short'])}` : ''}`);
    const medians = measure([...sidecarSides('docker', 19400), ...(withCompose ? composeSides(19700) : [])]);
    report('Docker runtime', new Map([...medians].filter(([label]) => !label.startsWith('compose'))), ['parallel', 'chained']);
    if (withCompose) reportCompose(medians);
  }
} finally {
  cleanupAll();
}
