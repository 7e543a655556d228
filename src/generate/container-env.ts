import type {Service} from '../manifest/types.js';
import {resolvePodRefs} from '../manifest/pod-refs.js';
import {containerPathOf, resolveVolumeRefs} from '../manifest/volume-refs.js';

// One string as a container sees it: `${volumes.NAME}` becomes the mount path in
// this service's container (load-time graph checks guarantee the service mounts
// it), and `${pods.NAME.host}` becomes NAME: the pod's DNS name under Docker (its
// network alias), Compose (its infra service) and Kubernetes (its Service).
export function inContainer(service: Service, value: string): string {
  return resolvePodRefs(
    resolveVolumeRefs(value, (volume) => containerPathOf(service, volume) ?? `\${volumes.${volume}}`),
    (pod) => pod,
  );
}

export function containerEnv(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(service.env).map(([key, value]) => [key, inContainer(service, value)]));
}

export function containerCommand(service: Service): string[] | undefined {
  return service.command?.map((arg) => inContainer(service, arg));
}
