import type {Manifest, Service, VolumeSpec} from '../manifest/types.js';
import type {LossList} from './loss.js';
import {relativeTo} from './paths.js';
import {shortHash} from '../runtime/docker/naming.js';

export type K8sVolume = {name: string; emptyDir: Record<string, never>} | {name: string; hostPath: {path: string}};
export interface K8sVolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

// Manifest volume names may hold `_` and `.`; pod volume names are DNS-1123 labels.
function podVolumeName(name: string): string {
  if (DNS_LABEL.test(name)) return name;
  const base = name.replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 54) || 'volume';
  return `${base}-${shortHash(name, 8)}`;
}

// A DNS-1123 label for a bind mount's pod volume: readable, unique by a hash of
// the path relative to the manifest (so the name is the same on every checkout).
function bindVolumeName(manifest: Manifest, hostPath: string): string {
  const base = hostPath.split('/').filter(Boolean).at(-1)?.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'root';
  return `host-${base.slice(0, 40)}-${shortHash(relativeTo(manifest.dir, hostPath), 8)}`;
}

// Named volumes become emptyDir (they live as long as the pod, shared by its
// containers); bind mounts become hostPath, which only means something on the node.
// `declared`: the named volumes this pod object carries; `services`: its services.
export function k8sVolumes(manifest: Manifest, declared: VolumeSpec[], services: Service[], losses: LossList): {volumes: K8sVolume[]; mountsOf: (service: Service) => K8sVolumeMount[]} {
  const volumes: K8sVolume[] = [];
  const names = new Map<string, string>();
  for (const spec of declared) {
    const name = podVolumeName(spec.name);
    volumes.push({name, emptyDir: {}});
    names.set(`volume:${spec.name}`, name);
    if (spec.external) losses.add(undefined, `volumes.${spec.name}`, 'an external volume became an emptyDir: its data does not survive the pod; use a PersistentVolumeClaim for that');
  }
  for (const service of services) {
    for (const mount of service.volumes) {
      if (mount.type !== 'bind' || names.has(`bind:${mount.hostPath}`)) continue;
      const name = bindVolumeName(manifest, mount.hostPath);
      names.set(`bind:${mount.hostPath}`, name);
      volumes.push({name, hostPath: {path: mount.hostPath}});
      losses.add(service.id, 'volumes', `bind mount ${mount.source} became hostPath ${mount.hostPath}, which is read on the node that runs the pod; use a ConfigMap or a PersistentVolumeClaim on a real cluster`);
    }
  }
  const mountsOf = (service: Service): K8sVolumeMount[] =>
    service.volumes.map((mount) => ({
      name: names.get(mount.type === 'volume' ? `volume:${mount.source}` : `bind:${mount.hostPath}`)!,
      mountPath: mount.target,
      ...(mount.readOnly ? {readOnly: true} : {}),
    }));
  return {volumes, mountsOf};
}
