import type {Service} from '../manifest/types.js';
import {containerPathOf, resolveVolumeRefs} from '../manifest/volume-refs.js';

// Env as a container sees it: `${volumes.NAME}` becomes the mount path in this
// service's container (load-time graph checks guarantee the service mounts it).
export function containerEnv(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(service.env).map(([key, value]) => [key, resolveVolumeRefs(value, (volume) => containerPathOf(service, volume) ?? `\${volumes.${volume}}`)]));
}

// One argument as the container sees it (a health exec command's, say).
export function inContainer(service: Service, value: string): string {
  return resolveVolumeRefs(value, (volume) => containerPathOf(service, volume) ?? `\${volumes.${volume}}`);
}

export function containerCommand(service: Service): string[] | undefined {
  return service.command?.map((arg) => resolveVolumeRefs(arg, (volume) => containerPathOf(service, volume) ?? `\${volumes.${volume}}`));
}
