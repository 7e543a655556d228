import path from 'node:path';
import type {Manifest, Service} from '../../manifest/types.js';
import {resolveVolumeRefs} from '../../manifest/volume-refs.js';
import {STACK_MARKER_VAR, stackId} from './stack-marker.js';

// Named volumes of the process runtime are plain directories under the project.
export function volumeDir(manifest: Manifest, volume: string): string {
  return path.join(manifest.dir, '.sidecar', 'volumes', volume);
}

// DESIGN: manifest env (with `process:` overrides), `${volumes.NAME}` as host
// directories, PATH and HOME from the user. Nothing else leaks from our env.
export function serviceEnv(manifest: Manifest, service: Service, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME'] as const) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  const merged = {...service.env, ...service.process.env, ...extra};
  for (const [key, value] of Object.entries(merged)) {
    env[key] = resolveVolumeRefs(value, (volume) => volumeDir(manifest, volume));
  }
  env[STACK_MARKER_VAR] = stackId(manifest);
  return env;
}

// The command to spawn; `${volumes.NAME}` in its arguments is a host directory too.
export function serviceCommand(manifest: Manifest, service: Service): string[] {
  const command = service.process.command ?? service.command;
  if (!command || command.length === 0) return [];
  return command.map((arg) => resolveVolumeRefs(arg, (volume) => volumeDir(manifest, volume)));
}

export function serviceWorkdir(service: Service): string {
  return service.process.workdir ?? service.workdir;
}
