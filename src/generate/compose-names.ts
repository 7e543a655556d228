import {SidecarError} from '../errors/index.js';
import {basePath} from '../manifest/graph.js';
import {placeInManifest} from '../manifest/loaded-source.js';
import {allServices, podsInStartOrder, type Manifest, type Pod, type Service} from '../manifest/types.js';

export interface ComposeNames {
  // The infra service owning a pod's network namespace.
  infra(pod: Pod | string): string;
  // A service's compose name.
  of(service: Service): string;
}

// The single form keeps its names: services by their bare names and an infra
// service `pod` (or `pod-N` if a service has that name). The pods form names each
// infra service after its pod, so the pod name is its DNS name on the compose
// network as under the Docker runtime, and each service POD-SERVICE.
export function composeNames(manifest: Manifest): ComposeNames {
  if (manifest.form === 'single') {
    const taken = new Set(allServices(manifest).map((s) => s.name));
    let infra = 'pod';
    for (let i = 2; taken.has(infra); i++) infra = `pod-${i}`;
    return {infra: () => infra, of: (service) => service.name};
  }
  const names: ComposeNames = {infra: (pod) => (typeof pod === 'string' ? pod : pod.name), of: (service) => `${service.pod}-${service.name}`};
  assertDistinct(manifest, names);
  return names;
}

// `a` + `b-app` and `a-b` + `app` would both be `a-b-app`: Compose keeps one of
// them silently, so refuse with both places named.
function assertDistinct(manifest: Manifest, names: ComposeNames): void {
  const owners = new Map<string, {what: string; path: string[]}>();
  for (const pod of podsInStartOrder(manifest)) {
    const entries: {name: string; what: string; path: string[]}[] = [{name: names.infra(pod), what: `pod ${pod.name}`, path: ['pods', pod.name]}];
    for (const service of [...pod.init, ...pod.sidecars, pod.app]) entries.push({name: names.of(service), what: service.id, path: basePath(service).map(String)});
    for (const entry of entries) {
      const first = owners.get(entry.name);
      if (!first) {
        owners.set(entry.name, entry);
        continue;
      }
      const place = placeInManifest(manifest, entry.path, true);
      throw new SidecarError('SIDECAR_MANIFEST_INVALID', `Compose would name both ${first.what} and ${entry.what} "${entry.name}"`, {
        ...(place ? {place} : {}),
        suggestion: `rename one of them: Compose names a pod's services POD-SERVICE, so ${first.what} and ${entry.what} collide`,
      });
    }
  }
}
