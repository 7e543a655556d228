import path from 'node:path';
import type {Manifest, Service} from '../../manifest/types.js';
import {resolvePodRefs} from '../../manifest/pod-refs.js';
import {resolveVolumeRefs} from '../../manifest/volume-refs.js';
import {RUN_MARKER_VAR, STACK_MARKER_VAR, stackId} from './stack-marker.js';

// DESIGN "Several pods": every pod shares the host's loopback, so another pod is
// reached at 127.0.0.1 (`${pods.NAME.host}`; its ports are its own by the
// cross-pod port check).
export const POD_HOST = '127.0.0.1';

// `${volumes.NAME}` as a host directory and `${pods.NAME.host}` as the loopback,
// wherever the manifest may write them (env, command, `process:`, health exec).
export function resolveHostRefs(manifest: Manifest, value: string): string {
  return resolvePodRefs(
    resolveVolumeRefs(value, (volume) => volumeDir(manifest, volume)),
    () => POD_HOST,
  );
}

// Named volumes of the process runtime are plain directories under the project.
export function volumeDir(manifest: Manifest, volume: string): string {
  return path.join(manifest.dir, '.sidecar', 'volumes', volume);
}

export interface ServiceEnvOptions {
  // The run marker (see stack-marker.ts); every process of the run carries it.
  runId?: string;
  // Set last, over the manifest (exec's own env).
  extra?: Record<string, string>;
}

// Issue 8.12, decided: a host process gets the caller's whole environment, as with
// process-compose, foreman and honcho (it expects PATH, HOME, nvm, proxies, locale...);
// Compose passes none because a container is isolated from the host anyway. Then the
// manifest's env (envFile, env, `process:` overrides; `${volumes.NAME}` as host
// directories) on top, and our marker variables last so that no env can forge or drop them.
export function serviceEnv(manifest: Manifest, service: Service, options: ServiceEnvOptions = {}, caller: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(caller)) if (value !== undefined) env[key] = value;
  const merged = {...service.env, ...service.process.env, ...options.extra};
  for (const [key, value] of Object.entries(merged)) env[key] = resolveHostRefs(manifest, value);
  env[STACK_MARKER_VAR] = stackId(manifest);
  if (options.runId !== undefined) env[RUN_MARKER_VAR] = options.runId;
  else delete env[RUN_MARKER_VAR];
  return env;
}

// The command to spawn; `${volumes.NAME}` and `${pods.NAME.host}` in its arguments resolved too.
export function serviceCommand(manifest: Manifest, service: Service): string[] {
  const command = service.process.command ?? service.command;
  if (!command || command.length === 0) return [];
  return command.map((arg) => resolveHostRefs(manifest, arg));
}

export function serviceWorkdir(service: Service): string {
  return service.process.workdir ?? service.workdir;
}
