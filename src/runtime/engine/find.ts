import {candidateEndpoints, type DockerEndpoint} from './endpoint.js';
import {pingDocker, type EngineKind, type EngineStatus} from './ping.js';

export interface FoundEngine {
  ok: true;
  endpoint: DockerEndpoint;
  status: EngineStatus;
  // Every place looked at, in order, with what it answered (doctor shows them).
  looked: EngineStatus[];
}
export interface NoEngine {
  ok: false;
  looked: EngineStatus[];
}

// DESIGN "Failure": no engine is reported within 1 s. All candidates are asked
// at once; the first in the order of candidateEndpoints that answers wins, so a
// machine with Docker and podman both running always picks Docker.
export async function findEngine(env: NodeJS.ProcessEnv = process.env, options: {timeoutMs?: number; details?: boolean; candidates?: DockerEndpoint[]} = {}): Promise<FoundEngine | NoEngine> {
  const candidates = options.candidates ?? candidateEndpoints(env);
  const looked = await Promise.all(candidates.map((endpoint) => pingDocker(endpoint, {timeoutMs: options.timeoutMs ?? 900, details: options.details ?? false})));
  const index = looked.findIndex((status) => status.ok);
  return index === -1 ? {ok: false, looked} : {ok: true, endpoint: candidates[index]!, status: looked[index]!, looked};
}

const ENGINE_NAMES: Record<EngineKind, string> = {'docker': 'Docker', 'docker-rootless': 'rootless Docker', 'podman': "podman's Docker API", 'podman-rootless': "rootless podman's Docker API"};

// "Docker 27.1.0 at unix:///var/run/docker.sock"
export function describeEngine(status: EngineStatus): string {
  return `${ENGINE_NAMES[status.engine ?? 'docker']}${status.version ? ` ${status.version}` : ''} at ${status.endpoint}`;
}

// One line naming every place looked at (exit 4's message).
export function describeNoEngine(looked: EngineStatus[]): string {
  const at = (s: EngineStatus): string => (s.source === 'DOCKER_HOST' ? `DOCKER_HOST=${s.endpoint}` : s.endpoint);
  if (looked.length === 1) return `no Docker engine answers at ${at(looked[0]!)}: ${looked[0]!.error}`;
  return `no Docker engine answers: ${looked.map((s) => `${s.endpoint} (${s.source}): ${s.error}`).join('; ')}`;
}

// After discovery, children (the detached supervisor, `run`'s command, a
// `docker` CLI a user's test calls) must talk to the same engine: say it in
// DOCKER_HOST when it is not where every client looks by default.
export function exportEndpoint(found: FoundEngine, env: NodeJS.ProcessEnv = process.env): void {
  if (found.endpoint.source !== 'default' && found.endpoint.source !== 'DOCKER_HOST') env.DOCKER_HOST = found.endpoint.url;
}
