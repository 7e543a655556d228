import path from 'node:path';
import type {Manifest, Pod, Service} from '../../../src/manifest/types.js';

// A `pods:` manifest built by hand (what normalize.ts makes of `pods.NAME`):
// services carry their pod and the id `POD/SERVICE`.
export function podsManifest(parts: {name: string; dir: string; pods: Record<string, {app: Service; sidecars?: Service[]; after?: string[]}>; volumes?: string[]}): Manifest {
  const pods = Object.entries(parts.pods).map(([name, pod]): Pod => {
    const own = (s: Service): Service => ({...s, pod: name, id: `${name}/${s.name}`});
    return {name, startup: 'ordered', after: pod.after ?? [], app: own(pod.app), sidecars: (pod.sidecars ?? []).map(own), init: []};
  });
  return {
    version: 1,
    name: parts.name,
    file: path.join(parts.dir, 'sidecar.yaml'),
    dir: parts.dir,
    form: 'pods',
    pods,
    volumes: Object.fromEntries((parts.volumes ?? []).map((v) => [v, {name: v, external: false}])),
  };
}
