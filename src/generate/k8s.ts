import {SidecarError} from '../errors/index.js';
import {placeInManifest} from '../manifest/loaded-source.js';
import {podsInStartOrder, servicesInStartOrder, type Manifest, type Pod} from '../manifest/types.js';
import {k8sWorkload, type K8sOptions, type K8sWorkload, type PodIdentity} from './k8s-pod.js';
import {k8sService, podPorts, type K8sService} from './k8s-service.js';
import {LossList, type Loss} from './loss.js';
import {requireImages} from './require-images.js';
import {podRefsOf} from './service-pod-refs.js';

export type {K8sKind, K8sOptions, K8sPodSpec, K8sWorkload} from './k8s-pod.js';
export type K8sDocument = K8sWorkload | K8sService;

const MANAGED_BY = {'app.kubernetes.io/managed-by': 'sidecar'};

// The single form is one object named after the project, with every volume, as
// before pods existed. In the pods form each pod's object is named after the pod,
// labelled as part of the project, and carries only the volumes it mounts.
function identityOf(manifest: Manifest, pod: Pod): PodIdentity {
  if (manifest.form === 'single') {
    const labels = {'app.kubernetes.io/name': manifest.name, ...MANAGED_BY};
    return {name: manifest.name, labels, selector: {'app.kubernetes.io/name': manifest.name}, volumes: Object.values(manifest.volumes)};
  }
  const selector = {'app.kubernetes.io/name': pod.name, 'app.kubernetes.io/part-of': manifest.name};
  const mounted = new Set(servicesInStartOrder(pod).flatMap((s) => s.volumes.flatMap((m) => (m.type === 'volume' ? [m.source] : []))));
  return {name: pod.name, labels: {...selector, ...MANAGED_BY}, selector, volumes: Object.values(manifest.volumes).filter((v) => mounted.has(v.name))};
}

// What several pods lose in a cluster: volumes are per pod there, and pods start together.
function stackLosses(manifest: Manifest, withService: Set<string>, losses: LossList): void {
  for (const volume of Object.values(manifest.volumes)) {
    const pods = manifest.pods.filter((pod) => servicesInStartOrder(pod).some((s) => s.volumes.some((m) => m.type === 'volume' && m.source === volume.name))).map((p) => p.name);
    if (pods.length < 2) continue;
    losses.add(undefined, `volumes.${volume.name}`, `volume ${volume.name} is mounted in pods ${pods.join(', ')}: Kubernetes cannot share an emptyDir between pods, so each pod gets its own empty one; use a ReadWriteMany PersistentVolumeClaim to share data`);
  }
  for (const pod of podsInStartOrder(manifest)) {
    if (pod.after.length > 0) {
      losses.add(undefined, `pods.${pod.name}.after`, `Kubernetes has no start order between pods: ${pod.name} starts without waiting for ${pod.after.join(', ')} to be ready, and must retry until ${pod.after.length === 1 ? 'it answers' : 'they answer'}`);
    }
  }
  for (const service of podsInStartOrder(manifest).flatMap(servicesInStartOrder)) {
    for (const name of podRefsOf(service)) {
      if (withService.has(name)) continue;
      losses.add(service.id, `pods.${name}.host`, `pod ${name} declares no container or probe port, so it gets no Service and the name "${name}" does not resolve in the cluster; add the port it listens on to \`ports:\` or a probe`);
    }
  }
}

// A Service name is a DNS-1035 label: a pod name may start with a digit (a DNS
// label for Docker), a Service's may not, and renaming it would break NAME.
function assertServiceName(manifest: Manifest, pod: Pod): void {
  if (/^[a-z]/.test(pod.name)) return;
  const place = placeInManifest(manifest, ['pods', pod.name], true);
  throw new SidecarError('SIDECAR_MANIFEST_INVALID', `pod "${pod.name}" needs a Service named after it, and a Kubernetes Service name must start with a letter`, {
    ...(place ? {place} : {}),
    suggestion: `rename the pod to start with a letter (e.g. "p${pod.name}"), and its \${pods.${pod.name}.host} references with it`,
  });
}

// DESIGN "Generated YAML" (k8s) per pod, and "Several pods": per pod one object
// of --kind, after a Service named after the pod when it has ports, so
// `${pods.NAME.host}` (rendered NAME) resolves as under Docker.
export function k8sDocuments(manifest: Manifest, options: K8sOptions = {}): {documents: K8sDocument[]; losses: Loss[]} {
  requireImages(manifest, 'Kubernetes');
  const losses = new LossList();
  const documents: K8sDocument[] = [];
  const withService = new Set<string>();
  for (const pod of podsInStartOrder(manifest)) {
    const identity = identityOf(manifest, pod);
    const ports = manifest.form === 'pods' ? podPorts(pod) : [];
    if (ports.length > 0) {
      assertServiceName(manifest, pod);
      documents.push(k8sService(identity.name, identity.labels, identity.selector, ports));
      withService.add(pod.name);
    }
    documents.push(k8sWorkload(manifest, pod, identity, options, losses));
  }
  if (manifest.form === 'pods') stackLosses(manifest, withService, losses);
  return {documents, losses: losses.list()};
}
