// First: dockerode's optional parts load when used (lazy-extras.ts).
import './lazy-extras.js';
import Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {DockerEndpoint} from '../engine/endpoint.js';
import {describeNoEngine, exportEndpoint, findEngine, type FoundEngine, type NoEngine} from '../engine/find.js';
import type {EngineKind} from '../engine/ping.js';
import {annotateRequests} from './engine-request.js';

export interface EngineStatus {
  ok: boolean;
  // Where we looked: DOCKER_HOST, or every socket an engine may listen on.
  host: string;
  reason?: string;
  version?: string;
  engine?: EngineKind;
}

// A client for one endpoint. DOCKER_HOST is read by docker-modem itself (it
// knows tcp, TLS and ssh); a discovered socket is given as a path. Every call
// goes through Node's global agent, which keeps its connections alive (Node 19
// on): a call reuses an idle connection instead of connecting (issue 13.2; the
// trace in docs/benchmarks.md shows 32 calls of an up + down over 7 connections,
// 4 of them streams). A keep-alive agent of our own measured 1.18-1.28x slower
// in-process on the loaded 2-core machine, and was dropped.
function clientFor(endpoint: DockerEndpoint): Docker {
  if (endpoint.source === 'DOCKER_HOST' || endpoint.kind !== 'unix') return annotateRequests(new Docker());
  return annotateRequests(new Docker({socketPath: endpoint.socketPath}));
}

// The detached supervisor started ahead (host/prespawn.ts) looks for the engine
// while it waits for its arguments: the answer is ready when prepare() asks.
let discovery: Promise<FoundEngine | NoEngine> | undefined;
export function warmEngine(): void {
  discovery ??= findEngine();
  discovery.catch(() => undefined);
}

// Does an engine answer, and which? Never throws; within DESIGN's 1 s.
export async function probeEngine(): Promise<EngineStatus> {
  const found = await findEngine();
  if (!found.ok) return {ok: false, host: found.looked.map((s) => s.endpoint).join(', '), reason: describeNoEngine(found.looked)};
  const {status} = found;
  return {ok: true, host: status.endpoint, ...(status.version ? {version: status.version} : {}), ...(status.engine ? {engine: status.engine} : {})};
}

// The connected client, or SIDECAR_RUNTIME_UNAVAILABLE (exit 4) naming every
// address looked at. A client given by a caller (tests) is used as it is.
export async function connectEngine(client?: Docker): Promise<Docker> {
  if (client) return client;
  const found = await (discovery ?? findEngine());
  discovery = undefined;
  if (found.ok) {
    exportEndpoint(found);
    return clientFor(found.endpoint);
  }
  throw new SidecarError('SIDECAR_RUNTIME_UNAVAILABLE', describeNoEngine(found.looked), {
    suggestion: 'start Docker (or `podman system service`), point DOCKER_HOST at a running engine, or use `--runtime process`',
  });
}

// The connected client, or undefined when no engine answers (ps, down --volumes:
// the engine being gone too is not an error there).
export async function engineIfAny(): Promise<Docker | undefined> {
  return connectEngine().catch(() => undefined);
}
