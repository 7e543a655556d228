import type {Service} from './types.js';

// `${volumes.NAME}` survives interpolation and is resolved per runtime: the mount
// path inside a container, or the host directory under the process runtime.
export const VOLUME_REF = /\$\{volumes\.([a-z0-9][a-z0-9_.-]*)\}/g;

export function volumeRefs(value: string): string[] {
  return [...value.matchAll(VOLUME_REF)].map((match) => match[1]!);
}

export function resolveVolumeRefs(value: string, resolve: (volume: string) => string): string {
  return value.replace(VOLUME_REF, (_whole, name: string) => resolve(name));
}

// The mount path of a named volume inside this service's container.
export function containerPathOf(service: Service, volume: string): string | undefined {
  const mount = service.volumes.find((m) => m.type === 'volume' && m.source === volume);
  return mount?.target;
}
