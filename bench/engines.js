// The Docker bench on every engine that answers here (issue 15.5), one after
// the other in one run: rootful Docker, rootless Docker, podman's Docker API.
// Each runs bench/docker-up-down.js (up + down of app + 2 sidecars against the
// raw CLI sequence and docker-compose v1, and kill -9 -> running again against
// the engine's restart policy) with DOCKER_HOST pointed at that engine, so the
// ratios compare each engine with itself. Env: BENCH_RUNS (default 5),
// BENCH_ENGINES=docker,rootless,podman (default: all that answer).
import {execFileSync, spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const {findEngine, describeEngine} = await import(path.join(root, 'dist/runtime/engine/find.js'));

function uidOf(user) {
  try {
    return execFileSync('id', ['-u', user], {encoding: 'utf8'}).trim();
  } catch {
    return undefined;
  }
}
const rootlessUid = uidOf(process.env.SIDECAR_ROOTLESS_USER ?? 'sidecar-rootless');
const ENGINES = {
  docker: 'unix:///var/run/docker.sock',
  ...(rootlessUid ? {rootless: `unix:///run/user/${rootlessUid}/docker.sock`} : {}),
  podman: 'unix:///run/podman/podman.sock',
};
const wanted = (process.env.BENCH_ENGINES ?? Object.keys(ENGINES).join(',')).split(',');

for (const name of wanted) {
  const host = ENGINES[name];
  if (!host) continue;
  const found = await findEngine({DOCKER_HOST: host}, {details: true, timeoutMs: 2000});
  if (!found.ok) {
    console.log(`\n# ${name}: no engine answers at ${host}; skipped`);
    continue;
  }
  console.log(`\n# ${name}: ${describeEngine(found.status)}`);
  // docker-compose v1 cannot `down` on podman (it removes the pod's infra while
  // containers joined to it remain, which podman refuses): no compose row there.
  const skip = process.env.BENCH_SKIP ?? (name === 'podman' ? 'twenty,compose' : 'twenty');
  const env = {...process.env, DOCKER_HOST: host, BENCH_ENGINE: name, BENCH_RUNS: process.env.BENCH_RUNS ?? '5', BENCH_SKIP: skip};
  const result = spawnSync(process.execPath, [path.join(root, 'bench/docker-up-down.js')], {env, stdio: 'inherit', timeout: 15 * 60_000});
  if (result.status !== 0) console.log(`(${name}: the bench exited ${result.status ?? result.signal})`);
}
