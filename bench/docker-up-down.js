// Docker runtime speed (issue 4 point 8), on a real engine, images built
// locally (scripts/build-test-images.sh). Same run, alternated, medians:
//  1. up + down of app + 2 sidecars sharing the pod network and a volume, no
//     probes: sidecar vs docker-compose v1 on the equivalent compose file vs
//     the raw `docker run` / `docker rm -f` CLI sequence;
//  2. kill -9 of a sidecar's process -> running again: the supervisor vs the
//     engine's own restart policy (`--restart always`) on the same image;
//  3. the same up + down with 20 sidecars.
// `sidecar` is measured in-process (Supervisor + DockerRuntime from dist/) and
// as `sidecar CLI`: `up --wait --runtime docker` (detached supervisor) + `down --volumes`.
// Env: BENCH_RUNS (default 7), BENCH_RUNS_20 (default 3), BENCH_SKIP=small,restart,twenty,compose
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import Docker from 'dockerode';
import {median} from './lib/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const {Supervisor} = await import(path.join(root, 'dist/supervisor/supervisor.js'));
const {DockerRuntime} = await import(path.join(root, 'dist/runtime/docker/index.js'));
const {loadManifest} = await import(path.join(root, 'dist/manifest/load.js'));

const runs = Number(process.env.BENCH_RUNS ?? 7);
const runs20 = Number(process.env.BENCH_RUNS_20 ?? 3);
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const BUSYBOX = 'sidecar-test/busybox:1';
const PAUSE = 'sidecar-test/pause:1';
process.env.SIDECAR_INFRA_IMAGE = PAUSE;
// A well-behaved service: exits at once on SIGTERM, like the pause stand-in.
const SERVE = ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];
const docker = new Docker();
const now = () => performance.now();

function run(argv, options = {}) {
  const result = spawnSync(argv[0], argv.slice(1), {stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options});
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout.trim();
}

// The in-process stack is loaded from the same YAML as the CLI's, so that it
// follows the manifest model (pods) as the product does.
async function stackManifest(name, sidecars) {
  const dir = sidecarYaml(sidecars, name);
  return loadManifest(path.join(dir, 'sidecar.yaml'));
}

// The compose file `generate compose` describes (DESIGN "Generated YAML"):
// an infra service owning the network, the others joining it, start order by depends_on.
function composeFile(sidecars) {
  const lines = ['version: "2.4"', 'services:', '  pod:', `    image: ${PAUSE}`];
  let previous = 'pod';
  for (const name of [...Array.from({length: sidecars}, (_v, i) => `side${i + 1}`), 'app']) {
    lines.push(`  ${name}:`, `    image: ${BUSYBOX}`, `    command: ${JSON.stringify(SERVE).replaceAll('$', '$$$$')}`, '    network_mode: "service:pod"',
      '    volumes: ["shared:/data"]', `    depends_on: [${previous}]`);
    previous = name;
  }
  lines.push('volumes:', '  shared: {}', '');
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-compose-')), 'docker-compose.yml');
  writeFileSync(file, lines.join('\n'));
  return file;
}

async function sidecarUpDown(sidecars, index) {
  const manifest = await stackManifest(`bench-sc-${index}`, sidecars);
  const runtime = new DockerRuntime();
  const started = now();
  const supervisor = new Supervisor({manifest, runtime});
  await supervisor.start();
  const up = now() - started;
  await supervisor.stop();
  await runtime.teardown(manifest, {removeVolumes: true});
  const total = now() - started;
  rmSync(manifest.dir, {recursive: true, force: true});
  return {up, total};
}

// The same stack through the real CLI: `up --wait` (detached supervisor) then `down`.
function sidecarYaml(sidecars, name = 'bench-cli-stack') {
  const serve = JSON.stringify(SERVE).replaceAll('$', '$$$$');
  const unit = (name) => [`  ${name}:`, `    image: ${BUSYBOX}`, `    command: ${serve}`, '    volumes: ["shared:/data"]'];
  const lines = ['version: 1', `name: ${name}`, 'app:', ...unit('x').slice(1), 'sidecars:'];
  for (let i = 1; i <= sidecars; i++) lines.push(...unit(`side${i}`).map((l) => `  ${l}`));
  lines.push('volumes:', '  shared: {}', '');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), lines.join('\n'));
  return dir;
}

let cliBroken = process.env.BENCH_CLI === '0' ? 'BENCH_CLI=0' : undefined;
function sidecarCliUpDown(dir) {
  if (cliBroken) return undefined;
  try {
    return sidecarCliUpDownOnce(dir);
  } catch (error) {
    cliBroken = error.message.split('\n')[0];
    console.log(`\n(sidecar CLI row dropped: ${cliBroken})`);
    spawnSync(process.execPath, [path.join(root, 'bin/run.js'), 'down', '--volumes'], {cwd: dir});
    return undefined;
  }
}

function sidecarCliUpDownOnce(dir) {
  const bin = path.join(root, 'bin/run.js');
  const started = now();
  // The installed `sidecar` command: bin/run.js run as a program, not `node bin/run.js`.
  run([bin, 'up', '--wait', '--runtime', 'docker'], {cwd: dir});
  const up = now() - started;
  run([bin, 'down', '--volumes'], {cwd: dir});
  return {up, total: now() - started};
}

function composeUpDown(file, index) {
  const project = `bench-dc-${index}`;
  const started = now();
  run(['docker-compose', '-p', project, '-f', file, 'up', '-d']);
  const up = now() - started;
  run(['docker-compose', '-p', project, '-f', file, 'down', '-v']);
  return {up, total: now() - started};
}

function cliUpDown(sidecars, index) {
  const p = `bench-cli-${index}`;
  const names = [...Array.from({length: sidecars}, (_v, i) => `${p}-side${i + 1}`), `${p}-app`];
  const started = now();
  run(['docker', 'volume', 'create', `${p}_shared`]);
  run(['docker', 'run', '-d', '--name', `${p}-pod`, PAUSE]);
  for (const name of names) run(['docker', 'run', '-d', '--name', name, '--network', `container:${p}-pod`, '-v', `${p}_shared:/data`, BUSYBOX, ...SERVE]);
  const up = now() - started;
  // podman refuses to remove the pod's container while containers joined to it
  // exist, whatever the order given in one call: two calls there.
  if (process.env.BENCH_ENGINE === 'podman') {
    run(['docker', 'rm', '-f', '-v', ...names.reverse()]);
    run(['docker', 'rm', '-f', '-v', `${p}-pod`]);
  } else run(['docker', 'rm', '-f', '-v', ...names.reverse(), `${p}-pod`]);
  run(['docker', 'volume', 'rm', `${p}_shared`]);
  return {up, total: now() - started};
}

async function upDown(label, sidecars, count) {
  const file = composeFile(sidecars);
  const dir = sidecarYaml(sidecars);
  const samples = {sidecar: [], 'sidecar CLI': [], compose: [], cli: []};
  // One warm-up of each, not counted (file cache, engine caches).
  await sidecarUpDown(sidecars, 'w');
  sidecarCliUpDown(dir);
  if (!skip.has('compose')) composeUpDown(file, 'w');
  cliUpDown(sidecars, 'w');
  for (let i = 0; i < count; i++) {
    samples.sidecar.push(await sidecarUpDown(sidecars, i));
    const viaCli = sidecarCliUpDown(dir);
    if (viaCli) samples['sidecar CLI'].push(viaCli);
    if (!skip.has('compose')) samples.compose.push(composeUpDown(file, i));
    samples.cli.push(cliUpDown(sidecars, i));
  }
  const m = (list, key) => median(list.map((s) => s[key]));
  const rows = Object.entries(samples).filter(([, list]) => list.length > 0).map(([name, list]) => ({name, up: m(list, 'up'), total: m(list, 'total')}));
  const of = (name) => rows.find((row) => row.name === name)?.total;
  console.log(`\n## ${label} (${count} runs each, alternated; medians)`);
  console.log('| who | up | up + down | sidecar in-process / this | sidecar CLI / this |');
  console.log('|---|---|---|---|---|');
  const ratio = (a, b) => (a === undefined ? '-' : `${(a / b).toFixed(2)}x`);
  for (const row of rows) console.log(`| ${row.name} | ${row.up.toFixed(0)} ms | ${row.total.toFixed(0)} ms | ${ratio(of('sidecar'), row.total)} | ${ratio(of('sidecar CLI'), row.total)} |`);
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; goals (issue 13.2): sidecar CLI <= 1.0x raw docker CLI, <= 0.5x docker-compose v1`);
}

// Resolves with the time of the next `start` event of a container name.
function nextStart(name) {
  return new Promise((resolve, reject) => {
    // No `event` filter: podman's Docker API streams nothing with one (docs/docker-runtime.md).
    docker.getEvents({filters: {type: ['container'], container: [name]}}, (error, stream) => {
      if (error) return reject(error);
      stream.on('data', (chunk) => {
        if (!chunk.toString().split('\n').some((line) => /"(Action|status)":"start"/.test(line))) return;
        resolve(now());
        stream.destroy();
      });
    });
  });
}

// By name: the supervisor's restart is a fresh container (new id), the engine's the same one.
// `running`: when the program runs again. The engine's start event says it for
// the engine's own restart; for sidecar's, the supervisor's `running` event
// does: its restart's container is started during the backoff with the program
// behind its start gate (start-gate.ts), so the engine's start event comes
// before the program runs, and would flatter sidecar.
async function killToRunning(idOrName, running) {
  const info = await docker.getContainer(idOrName).inspect();
  const started = running ?? nextStart(info.Name.replace(/^\//, ''));
  await new Promise((r) => setTimeout(r, 50));
  const killedAt = now();
  process.kill(info.State.Pid, 'SIGKILL');
  return (await started) - killedAt;
}

async function restart(count) {
  const samples = {sidecar: [], engine: []};
  for (let i = 0; i < count; i++) {
    // Fresh each time: both sides measure their first restart (both back off later).
    const manifest = await stackManifest(`bench-rs-${i}`, 2);
    const runtime = new DockerRuntime();
    const supervisor = new Supervisor({manifest, runtime});
    await supervisor.start();
    const sidecarContainer = supervisor.status().find((s) => s.name === 'side1').containerId;
    const runningAgain = new Promise((resolve) => {
      let off = () => {};
      const seen = (event) => {
        if (event.type !== 'state' || event.service !== 'side1' || event.to !== 'running') return;
        off();
        resolve(now());
      };
      // After the kill only: the first `running` is the restart's.
      setTimeout(() => (off = supervisor.on('event', seen)), 0);
    });
    samples.sidecar.push(await killToRunning(sidecarContainer, runningAgain));
    await supervisor.stop();
    await runtime.teardown(manifest, {removeVolumes: true});

    const name = `bench-rp-${i}`;
    run(['docker', 'run', '-d', '--restart', 'always', '--name', name, BUSYBOX, ...SERVE]);
    samples.engine.push(await killToRunning(name));
    run(['docker', 'rm', '-f', name]);
  }
  const sc = median(samples.sidecar);
  const en = median(samples.engine);
  console.log(`\n## kill -9 of a sidecar's process -> running again (${count} runs each, first restart, medians)`);
  console.log('| who | median | sidecar / this |');
  console.log('|---|---|---|');
  console.log(`| sidecar supervisor | ${sc.toFixed(0)} ms | 1.00x |`);
  console.log(`| engine restart policy | ${en.toFixed(0)} ms | ${(sc / en).toFixed(2)}x |`);
}

console.log(`# Docker runtime bench (${new Date().toISOString()}, ${os.cpus().length} cpus, docker ${run(['docker', 'version', '--format', '{{.Server.Version}}'])})`);
if (!skip.has('small')) await upDown('up + down: app + 2 sidecars, shared network and volume, no probes', 2, runs);
if (!skip.has('restart')) await restart(runs);
if (!skip.has('twenty')) await upDown('up + down: app + 20 sidecars', 20, runs20);
