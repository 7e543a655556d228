import http from 'node:http';
import https from 'node:https';
import type {DockerEndpoint} from './docker-endpoint.js';

export interface EngineStatus {
  ok: boolean;
  endpoint: string;
  source: 'DOCKER_HOST' | 'default';
  version?: string;
  apiVersion?: string;
  error?: string;
}

// One GET against the engine API with a hard deadline; node:http over the unix
// socket, so doctor does not load dockerode (start-up time).
function get(endpoint: Exclude<DockerEndpoint, {kind: 'unsupported'}>, path: string, timeoutMs: number): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const target = endpoint.kind === 'unix' ? {socketPath: endpoint.socketPath} : {host: endpoint.host, port: endpoint.port};
    const client = endpoint.kind === 'tcp' && endpoint.tls ? https : http;
    const request = client.get({...target, path, headers: {host: 'docker'}, timeout: timeoutMs}, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 65_536) body += chunk;
      });
      response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs}ms`)));
    request.on('error', reject);
  });
}

function describe(error: unknown, endpoint: DockerEndpoint): string {
  const code = (error as NodeJS.ErrnoException).code;
  const where = endpoint.kind === 'unix' ? endpoint.socketPath : endpoint.url;
  if (code === 'ENOENT') return `${where} does not exist (no engine running here?)`;
  if (code === 'EACCES') return `${where}: permission denied (add yourself to the docker group, or use rootless Docker)`;
  if (code === 'ECONNREFUSED') return `${where}: connection refused (the engine is not running)`;
  return `${where}: ${(error as Error).message}`;
}

// GET /_ping, then /version for the numbers. Never throws: a failure is a status.
export async function pingDocker(endpoint: DockerEndpoint, timeoutMs = 1000): Promise<EngineStatus> {
  const base = {endpoint: endpoint.url, source: endpoint.source};
  if (endpoint.kind === 'unsupported') return {...base, ok: false, error: `${endpoint.url}: only unix:// and tcp:// endpoints are checked by doctor; try \`docker info\``};
  try {
    const ping = await get(endpoint, '/_ping', timeoutMs);
    if (ping.status !== 200) return {...base, ok: false, error: `GET /_ping answered ${ping.status}: ${ping.body.trim().slice(0, 200)}`};
    const version = await get(endpoint, '/version', timeoutMs).catch(() => undefined);
    let parsed: {Version?: string; ApiVersion?: string} = {};
    try {
      parsed = version?.status === 200 ? (JSON.parse(version.body) as typeof parsed) : {};
    } catch {
      // an engine that pings but sends no JSON version: still an engine
    }
    return {...base, ok: true, ...(parsed.Version ? {version: parsed.Version} : {}), ...(parsed.ApiVersion ? {apiVersion: parsed.ApiVersion} : {})};
  } catch (error) {
    return {...base, ok: false, error: describe(error, endpoint)};
  }
}
