// Issue 13.5: what 50 sidecars + an app "started one after another" cost the
// Docker engine itself, so that bench/scale.js can say what its 4 s goal is
// measured against. The same topology as sidecar's (a pause infra owning the
// network namespace, every container joining it with `container:<infra>`, the
// engine's init as PID 1, the same command), two ways:
//  - engine: every container created beforehand, then started one after the
//    other over one kept-alive API connection (POST /containers/ID/start waits
//    for the process to run): the floor of ordered starts on this engine;
//  - docker CLI: `docker run -d` of the infra, then of each container, one after
//    the other, as a shell script would (create + start each, one CLI start each).
// Both include the infra's start; neither reads output or watches events.
import {spawnSync} from 'node:child_process';
import http from 'node:http';

const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

function api(agent, method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = data === undefined ? {} : {'content-type': 'application/json', 'content-length': Buffer.byteLength(data)};
    const request = http.request({socketPath, method, path, agent, headers}, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => (response.statusCode >= 300 ? reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`)) : resolve(text ? JSON.parse(text) : undefined)));
    });
    request.on('error', reject);
    request.end(data);
  });
}

function docker(args) {
  const result = spawnSync('docker', args, {stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'});
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return result.stdout.trim();
}

// ms from the infra's start to the last container running; creation not counted.
export async function engineFloor({count, image, infraImage, command, tag}) {
  const agent = new http.Agent({keepAlive: true, maxSockets: 8});
  const ids = [];
  try {
    const infra = await api(agent, 'POST', `/containers/create?name=${tag}-pod`, {Image: infraImage});
    ids.push(infra.Id);
    for (let i = 0; i < count; i++) {
      const spec = {Image: image, Cmd: command, AttachStdout: true, AttachStderr: true, HostConfig: {NetworkMode: `container:${infra.Id}`, Init: true, RestartPolicy: {Name: 'no'}}};
      ids.push((await api(agent, 'POST', `/containers/create?name=${tag}-${i}`, spec)).Id);
    }
    const started = performance.now();
    for (const id of ids) await api(agent, 'POST', `/containers/${id}/start`);
    return performance.now() - started;
  } finally {
    await Promise.all(ids.map((id) => api(agent, 'DELETE', `/containers/${id}?force=1&v=1`).catch(() => undefined)));
    agent.destroy();
  }
}

// ms from the first `docker run -d` to the last one's exit.
export function cliFloor({count, image, infraImage, command, tag}) {
  const names = Array.from({length: count}, (_v, i) => `${tag}-${i}`);
  const started = performance.now();
  try {
    docker(['run', '-d', '--name', `${tag}-pod`, infraImage]);
    for (const name of names) docker(['run', '-d', '--init', '--name', name, '--network', `container:${tag}-pod`, image, ...command]);
    return performance.now() - started;
  } finally {
    spawnSync('docker', ['rm', '-f', '-v', ...names.reverse(), `${tag}-pod`], {stdio: 'ignore'});
  }
}
