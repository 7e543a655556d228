import Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';

// DESIGN "Failure": no engine must be reported within 1s, whatever DOCKER_HOST points at.
const PING_TIMEOUT_MS = 900;

export interface EngineStatus {
  ok: boolean;
  // Where we looked: DOCKER_HOST or the default socket.
  host: string;
  reason?: string;
  version?: string;
}

export function engineHost(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

// A client for DOCKER_HOST or the default socket (docker-modem reads the environment).
export function createClient(): Docker {
  return new Docker();
}

// Does an engine answer? Never throws; bounded by PING_TIMEOUT_MS (doctor, `--runtime auto`).
export async function probeEngine(docker: Docker = createClient()): Promise<EngineStatus> {
  const host = engineHost();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS}ms`)), PING_TIMEOUT_MS);
  });
  try {
    const version = await Promise.race([docker.version(), timeout]);
    return {ok: true, host, version: version.Version};
  } catch (error) {
    return {ok: false, host, reason: error instanceof Error ? error.message : String(error)};
  } finally {
    clearTimeout(timer);
  }
}

// The connected client, or SIDECAR_RUNTIME_UNAVAILABLE (exit 4) with what to do.
export async function connectEngine(docker: Docker = createClient()): Promise<Docker> {
  const status = await probeEngine(docker);
  if (status.ok) return docker;
  throw new SidecarError('SIDECAR_RUNTIME_UNAVAILABLE', `no Docker engine answers at ${status.host}: ${status.reason}`, {
    suggestion: 'start Docker, point DOCKER_HOST at a running engine, or use `--runtime process`',
  });
}
