import {existsSync} from 'node:fs';
import {findEngine} from '../runtime/engine/find.js';
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
  return {docker, engines: found.looked, process: processRuntime(), tools, auto: found.ok ? 'docker' : 'process'};
}
