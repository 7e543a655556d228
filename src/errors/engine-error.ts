import {SidecarError} from './sidecar-error.js';

// Issue 15.4: what a Docker API engine (dockerd, podman's service) answers is
// never "a bug in sidecar". A refusal names what was asked, of which object, and
// the engine's own words; a connection that breaks is the engine going away.
// The request is attached by the client (src/runtime/docker/engine-request.ts).
export interface EngineRequest {
  method: string;
  path: string;
}
interface EngineFailure {
  statusCode?: number;
  json?: {message?: string} | null;
  reason?: string;
  code?: string;
  engineRequest?: EngineRequest;
}

const VERBS: Record<string, string> = {start: 'start', stop: 'stop', kill: 'kill', restart: 'restart', wait: 'wait for', attach: 'attach to', exec: 'run a command in', archive: 'copy files into', logs: 'read the logs of', stats: 'read the stats of', top: 'list the processes of', json: 'inspect', pause: 'pause', unpause: 'unpause', update: 'update', rename: 'rename'};
const short = (id: string): string => (/^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : decodeURIComponent(id));

// "kill container 87a58494bb44" from POST /containers/87a5.../kill?signal=SIGKILL.
export function describeRequest(request: EngineRequest): string {
  const [pathname = '', query = ''] = request.path.replace(/^\/v[\d.]+\//, '/').split('?');
  const parts = pathname.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  const [kind, id, action] = parts;
  if (kind === 'containers' && id === 'create') return `create container ${params.get('name') ?? ''}`.trim();
  if (kind === 'containers' && id !== undefined && id !== 'json') {
    if (request.method === 'DELETE') return `remove container ${short(id)}`;
    return `${VERBS[action ?? 'json'] ?? action} container ${short(id)}`;
  }
  if (kind === 'images' && id === 'create') return `pull image ${params.get('fromImage') ?? ''}${params.get('tag') ? `:${params.get('tag')}` : ''}`;
  if (kind === 'images' && id !== undefined) return `${request.method === 'DELETE' ? 'remove' : 'inspect'} image ${decodeURIComponent(id)}`;
  if (kind === 'build') return `build image ${params.get('t') ?? ''}`.trim();
  if (kind === 'networks' && id === 'create') return 'create a network';
  if (kind === 'networks' && id !== undefined) return `${request.method === 'DELETE' ? 'remove' : action ?? 'inspect'} network ${short(id)}`;
  if (kind === 'volumes' && id === 'create') return 'create a volume';
  if (kind === 'volumes' && id !== undefined) return `${request.method === 'DELETE' ? 'remove' : 'inspect'} volume ${decodeURIComponent(id)}`;
  if (kind === 'exec' && id !== undefined) return `${action ?? 'inspect'} exec ${short(id)}`;
  return `${request.method} ${pathname}`;
}

const BROKEN = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOENT']);

export function fromEngineError(error: unknown): SidecarError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const failure = error as EngineFailure;
  const request = failure.engineRequest;
  if (request === undefined) return undefined;
  const what = describeRequest(request);
  if (typeof failure.statusCode === 'number') {
    const said = (failure.json?.message ?? (error as Error).message ?? '').toString().trim();
    return new SidecarError('SIDECAR_ENGINE_REFUSED', `the engine refused to ${what} (HTTP ${failure.statusCode}): ${said}`, {
      suggestion: failure.statusCode >= 500 ? 'the engine\'s words above say why; `sidecar doctor` shows which engine answered' : 'see the engine\'s words above',
      cause: error,
    });
  }
  if (failure.code && BROKEN.has(failure.code)) {
    return new SidecarError('SIDECAR_RUNTIME_UNAVAILABLE', `the engine stopped answering while asked to ${what} (${failure.code})`, {
      suggestion: 'check that the engine still runs (`sidecar doctor`), then run the command again',
      cause: error,
    });
  }
  return new SidecarError('SIDECAR_ENGINE_REFUSED', `asking the engine to ${what} failed: ${(error as Error).message}`, {cause: error});
}
