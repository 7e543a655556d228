import {sidecarStartOrder} from '../manifest/graph.js';
import type {Manifest, Pod, Service, VolumeSpec} from '../manifest/types.js';
import {servicesInStartOrder} from '../manifest/types.js';
import {wholeSeconds} from './durations.js';
import {k8sContainer, type K8sContainer} from './k8s-container.js';
import {k8sVolumes, type K8sVolume} from './k8s-volumes.js';
import type {LossList} from './loss.js';

export type K8sKind = 'pod' | 'deployment' | 'job';
export interface K8sOptions {
  kind?: K8sKind;
  // false: sidecars as plain containers (clusters before 1.29, `podman kube play`).
  nativeSidecars?: boolean;
}

type PodRestartPolicy = 'Always' | 'OnFailure' | 'Never';
export interface K8sPodSpec {
  restartPolicy: PodRestartPolicy;
  terminationGracePeriodSeconds: number;
  initContainers?: K8sContainer[];
  containers: K8sContainer[];
  volumes?: K8sVolume[];
}
export interface Metadata {
  name: string;
  labels: Record<string, string>;
}
export type K8sWorkload =
  | {apiVersion: 'v1'; kind: 'Pod'; metadata: Metadata; spec: K8sPodSpec}
  | {apiVersion: 'apps/v1'; kind: 'Deployment'; metadata: Metadata; spec: {replicas: number; selector: {matchLabels: Record<string, string>}; template: {metadata: {labels: Record<string, string>}; spec: K8sPodSpec}}}
  | {apiVersion: 'batch/v1'; kind: 'Job'; metadata: Metadata; spec: {backoffLimit?: number; template: {metadata: {labels: Record<string, string>}; spec: K8sPodSpec}}};

// What one pod's object is called and how it is selected (by a Deployment, a Service).
export interface PodIdentity {
  name: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  // The named volumes the object carries.
  volumes: VolumeSpec[];
}

const POLICY: Record<Service['restart'], PodRestartPolicy> = {always: 'Always', 'on-failure': 'OnFailure', never: 'Never'};

// The pod's restartPolicy is the app's (it governs the regular containers);
// a Deployment only allows Always, a Job only OnFailure or Never.
function podRestartPolicy(app: Service, kind: K8sKind, losses: LossList): PodRestartPolicy {
  const wanted = POLICY[app.restart];
  if (kind === 'deployment' && wanted !== 'Always') {
    losses.add(app.id, 'restart', `a Deployment's pods always restart: "restart: ${app.restart}" became Always (use --kind job for a run-to-completion app)`);
    return 'Always';
  }
  if (kind === 'job' && wanted === 'Always') {
    losses.add(app.id, 'restart', 'a Job cannot restart Always: "restart: always" became OnFailure');
    return 'OnFailure';
  }
  return wanted;
}

// Kubernetes gives the whole pod one grace period. With native sidecars the
// kubelet stops the app, then the sidecars in reverse order, one after another
// (KEP-753), as `sidecar down` does: the worst case is the sum of their
// stopTimeouts. Plain containers are all signalled at once: the longest one.
function gracePeriodSeconds(pod: Pod, native: boolean): number {
  const timeouts = [pod.app, ...pod.sidecars].map((s) => s.stopTimeoutMs);
  return wholeSeconds(native ? timeouts.reduce((a, b) => a + b, 0) : Math.max(...timeouts));
}

function orderLosses(pod: Pod, kind: K8sKind, native: boolean, policy: PodRestartPolicy, losses: LossList): void {
  if (pod.init.length > 0 && policy !== 'Never') {
    losses.add(undefined, 'init', `with restartPolicy ${policy} the kubelet retries a failed init container instead of failing the pod`);
  }
  if (native) {
    if (pod.startup === 'parallel' && pod.sidecars.filter((s) => s.health).length > 1) {
      losses.add(undefined, 'startup', 'native sidecars start one after another, each gated on its startupProbe: `startup: parallel` is lost');
    }
    for (const sidecar of pod.sidecars.filter((s) => !s.withApp)) {
      if (sidecar.restart !== 'always') losses.add(sidecar.id, 'restart', `native sidecars always restart: "restart: ${sidecar.restart}" is lost`);
    }
    return;
  }
  if (pod.sidecars.length === 0) return;
  losses.add(undefined, 'startup', 'without native sidecars all containers start together: sidecars no longer start before the app, nor wait for each other\'s probes');
  losses.add(undefined, 'stop', 'without native sidecars all containers are stopped at once, not the app first and the sidecars after it');
  if (kind === 'job') losses.add(undefined, 'lifecycle', 'without native sidecars the Job does not complete while the sidecars keep running after the app exits');
  for (const sidecar of pod.sidecars) {
    if (POLICY[sidecar.restart] !== policy) losses.add(sidecar.id, 'restart', `plain containers follow the pod's restartPolicy ${policy}: "restart: ${sidecar.restart}" is lost`);
  }
}

// DESIGN "Generated YAML" (k8s): init jobs as plain init containers, then the
// sidecars as native sidecars (init containers with restartPolicy Always, gated
// on their startupProbe), then the app and the sidecars `withApp` as the regular containers.
export function k8sWorkload(manifest: Manifest, pod: Pod, identity: PodIdentity, options: K8sOptions, losses: LossList): K8sWorkload {
  const kind = options.kind ?? 'pod';
  const native = options.nativeSidecars ?? true;
  const {volumes, mountsOf} = k8sVolumes(manifest, identity.volumes, servicesInStartOrder(pod), losses);
  const container = (service: Service, probes: boolean, nativeSidecar: boolean): K8sContainer => k8sContainer(manifest, service, mountsOf(service), {probes, nativeSidecar}, losses);

  const inits = pod.init.map((job) => container(job, false, false));
  const order = sidecarStartOrder(pod);
  const sidecars = order.filter((sidecar) => !sidecar.withApp).map((sidecar) => container(sidecar, true, native));
  // Sidecars `withApp` are regular containers beside the app, as Kubernetes starts them.
  const beside = order.filter((sidecar) => sidecar.withApp).map((sidecar) => container(sidecar, true, false));
  const app = container(pod.app, true, false);
  const restartPolicy = podRestartPolicy(pod.app, kind, losses);
  orderLosses(pod, kind, native, restartPolicy, losses);

  const initContainers = native ? [...inits, ...sidecars] : inits;
  const spec: K8sPodSpec = {
    restartPolicy,
    terminationGracePeriodSeconds: gracePeriodSeconds(pod, native),
    ...(initContainers.length > 0 ? {initContainers} : {}),
    containers: native ? [app, ...beside] : [...sidecars, app, ...beside],
    ...(volumes.length > 0 ? {volumes} : {}),
  };
  const {labels} = identity;
  const metadata = {name: identity.name, labels};
  let document: K8sWorkload;
  if (kind === 'pod') document = {apiVersion: 'v1', kind: 'Pod', metadata, spec};
  else if (kind === 'deployment') {
    document = {apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: {replicas: 1, selector: {matchLabels: identity.selector}, template: {metadata: {labels}, spec}}};
  } else {
    const backoffLimit = pod.app.restart === 'never' ? 0 : pod.app.maxRestarts;
    document = {apiVersion: 'batch/v1', kind: 'Job', metadata, spec: {...(backoffLimit === undefined ? {} : {backoffLimit}), template: {metadata: {labels}, spec}}};
  }
  if (pod.app.maxRestarts !== undefined && kind !== 'job') losses.add(pod.app.id, 'maxRestarts', 'a Pod restarts its containers without a cap: maxRestarts is dropped (a Job has backoffLimit: use --kind job)');
  return document;
}
