import type http from 'node:http';
import {createRequire} from 'node:module';
import type {DockerEndpoint, EndpointSource} from './endpoint.js';
import {unixGet, type Answer} from './unix-get.js';

// Which engine answered the Docker API: Docker (rootful or rootless) or podman's
// Docker-compatible service. They differ in places (docs/docker-runtime.md).
export type EngineKind = 'docker' | 'docker-rootless' | 'podman' | 'podman-rootless';

export interface EngineStatus {
  ok: boolean;
  endpoint: string;
  source: EndpointSource;
  engine?: EngineKind;
  version?: string;
  apiVersion?: string;
  error?: string;
}

type Reachable = Exclude<DockerEndpoint, {kind: 'unsupported'}>;

// Loaded on the first ping: the detached supervisor of a process stack, which
// bundles this module, never pings, and node:https alone (tls, crypto) costs
// it a few ms of its start-up (issue 13.1).
const load = createRequire(import.meta.url);

// One GET against the engine API with a hard deadline, without dockerode (start-up
// time): over a unix socket a plain HTTP/1.1 exchange (unix-get.ts), else node:http(s).
function get(endpoint: Reachable, path: string, timeoutMs: number): Promise<Answer> {
  if (endpoint.kind === 'unix') return unixGet(endpoint.socketPath, path, timeoutMs);
  return new Promise((resolve, reject) => {
    const client = (endpoint.tls ? load('node:https') : load('node:http')) as typeof http;
    const request = client.get({host: endpoint.host, port: endpoint.port, path, headers: {host: 'docker'}, timeout: timeoutMs}, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 65_536) body += chunk;
      });
      response.on('end', () => resolve({status: response.statusCode ?? 0, body, headers: response.headers}));
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

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

// The ping's own headers say who answered and its version, so no /version call
// is needed: podman computes /version slowly (1-2 s here, it asks conmon and the
// OCI runtime), Docker sends `Server: Docker/27.1.0 (linux)`.
function fromPingHeaders(headers: http.IncomingHttpHeaders): {engine?: EngineKind; version?: string; apiVersion?: string} {
  const server = header(headers, 'server') ?? '';
  const libpod = header(headers, 'libpod-api-version');
  const apiVersion = header(headers, 'api-version');
  const docker = /^Docker\/(\S+)/.exec(server)?.[1];
  const podman = libpod ?? /^Libpod\/(\S+)/.exec(server)?.[1];
  return {
    ...(podman ? {engine: 'podman' as const, version: podman} : docker ? {engine: 'docker' as const, version: docker} : {}),
    ...(apiVersion ? {apiVersion} : {}),
  };
}

// Rootless engines say so in /info's security options (`name=rootless`); a
// rootless podman socket also lives under the user's runtime directory.
async function rootless(endpoint: Reachable, timeoutMs: number): Promise<boolean> {
  if (endpoint.source === 'rootless Docker' || endpoint.source === 'podman (rootless)') return true;
  const info = await get(endpoint, '/info', timeoutMs).catch(() => undefined);
  if (info?.status !== 200) return false;
  try {
    const options = (JSON.parse(info.body) as {SecurityOptions?: string[]}).SecurityOptions ?? [];
    return options.some((o) => o.split(',').includes('name=rootless'));
  } catch {
    return false;
  }
}

export interface PingOptions {
  timeoutMs?: number;
  // Also ask /info whether the engine runs rootless (doctor; costs up to a second on podman).
  details?: boolean;
}

// GET /_ping; the rest from its headers (or /version for engines that send none).
// Never throws: a failure is a status.
export async function pingDocker(endpoint: DockerEndpoint, options: PingOptions | number = {}): Promise<EngineStatus> {
  const {timeoutMs = 1000, details = false} = typeof options === 'number' ? {timeoutMs: options} : options;
  const base = {endpoint: endpoint.url, source: endpoint.source};
  if (endpoint.kind === 'unsupported') return {...base, ok: false, error: `${endpoint.url}: only unix:// and tcp:// endpoints are checked by sidecar; try \`docker info\``};
  try {
    const ping = await get(endpoint, '/_ping', timeoutMs);
    if (ping.status !== 200) return {...base, ok: false, error: `GET /_ping answered ${ping.status}: ${ping.body.trim().slice(0, 200)}`};
    let found = fromPingHeaders(ping.headers);
    if (!found.version) {
      const version = await get(endpoint, '/version', Math.max(timeoutMs, 3000)).catch(() => undefined);
      try {
        const parsed = version?.status === 200 ? (JSON.parse(version.body) as {Version?: string; ApiVersion?: string}) : {};
        found = {engine: 'docker', ...(parsed.Version ? {version: parsed.Version} : {}), ...(parsed.ApiVersion ? {apiVersion: parsed.ApiVersion} : {}), ...found};
      } catch {
        // an engine that pings but sends no JSON version: still an engine
      }
    }
    const underRunDir = endpoint.source === 'rootless Docker' || endpoint.source === 'podman (rootless)';
    if (found.engine && (details || underRunDir) && (await rootless(endpoint, Math.max(timeoutMs, 3000)))) {
      found = {...found, engine: found.engine === 'podman' ? 'podman-rootless' : 'docker-rootless'};
    }
    return {...base, ok: true, ...found};
  } catch (error) {
    return {...base, ok: false, error: describe(error, endpoint)};
  }
}
