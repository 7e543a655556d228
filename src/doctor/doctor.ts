import {existsSync} from 'node:fs';
import {findEngine} from '../runtime/engine/find.js';
import {unixGet} from '../runtime/engine/unix-get.js';
import {DEFAULT_INFRA_IMAGE} from '../runtime/infra-image.js';
import type {DockerEndpoint} from '../runtime/engine/endpoint.js';
import type {EngineStatus} from '../runtime/engine/ping.js';
import {TOOLS, toolStatus, type ToolStatus} from './tools.js';

export interface ProcessRuntimeStatus {
  ok: boolean;
  node: string;
  platform: string;
  error?: string;
}

export interface DoctorReport {
  // The engine `--runtime docker` would use: the first that answered, else the first looked at.
  docker: EngineStatus;
  // Every place looked at, in order (DOCKER_HOST alone when it is set).
  engines: EngineStatus[];
  process: ProcessRuntimeStatus;
  tools: ToolStatus[];
  // What `--runtime auto` would pick for a manifest whose services have images and commands.
  auto: 'docker' | 'process';
  // The image of every pod's infra container, on the engine found (found by a new
  // user's trial: doctor said "ok" where the first Docker `up` failed to pull it).
  infra?: InfraImageStatus;
}

export interface InfraImageStatus {
  image: string;
  // From SIDECAR_INFRA_IMAGE, else the default.
  fromEnv: boolean;
  // On the engine: true, false, or undefined when it could not be asked (a TCP engine, no answer).
  present?: boolean;
  error?: string;
}

// The process runtime signals process groups and checks identity through /proc.
function processRuntime(): ProcessRuntimeStatus {
  const base = {node: process.version, platform: process.platform};
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 5)) return {...base, ok: false, error: `Node.js ${process.version} is older than 20.5`};
  if (process.platform === 'win32') return {...base, ok: false, error: 'process groups and POSIX signals are not available on Windows; use WSL or Docker'};
  if (process.platform === 'linux' && !existsSync('/proc/self/stat')) return {...base, ok: false, error: '/proc is not mounted: process identity cannot be checked'};
  return {...base, ok: true};
}

export async function runDoctor(env: NodeJS.ProcessEnv = process.env, pingTimeoutMs = 1000): Promise<DoctorReport> {
  const [found, tools] = await Promise.all([findEngine(env, {timeoutMs: pingTimeoutMs, details: true}), Promise.all(TOOLS.map((tool) => toolStatus(tool.name, tool.args, env)))]);
  const docker = found.ok ? found.status : found.looked[0]!;
  const infra = found.ok ? await infraImage(found.endpoint, env, pingTimeoutMs) : undefined;
  return {docker, engines: found.looked, process: processRuntime(), tools, auto: found.ok ? 'docker' : 'process', ...(infra ? {infra} : {})};
}

async function infraImage(endpoint: DockerEndpoint, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<InfraImageStatus> {
  const fromEnv = Boolean(env.SIDECAR_INFRA_IMAGE);
  const image = env.SIDECAR_INFRA_IMAGE || DEFAULT_INFRA_IMAGE;
  if (endpoint.kind !== 'unix') return {image, fromEnv, error: 'not checked on a TCP engine'};
  try {
    const answer = await unixGet(endpoint.socketPath, `/images/${encodeURIComponent(image)}/json`, timeoutMs);
    if (answer.status === 200) return {image, fromEnv, present: true};
    if (answer.status === 404) return {image, fromEnv, present: false};
    return {image, fromEnv, error: `the engine answered ${answer.status}`};
  } catch (error) {
    return {image, fromEnv, error: (error as Error).message};
  }
}
