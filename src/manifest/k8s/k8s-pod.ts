import type {Pod, RestartPolicy, Service} from '../types.js';
import {serviceOf, type ContainerContext} from './k8s-container.js';
import type {K8sObjects, Workload} from './k8s-objects.js';
import type {Raw} from './k8s-reader.js';
import {podVolumes, type PodVolumes} from './k8s-volumes.js';

// The annotation that names the app when it is not the first container (DESIGN).
export const APP_ANNOTATION = 'sidecar.dev/app';

const POD_USED = ['containers', 'initContainers', 'volumes', 'restartPolicy', 'terminationGracePeriodSeconds'];
// Registry credentials and DNS/scheduler choices: nothing changes locally without them.
const POD_HARMLESS = ['imagePullSecrets', 'dnsPolicy', 'enableServiceLinks', 'schedulerName'];
// Fields of the object around the pod template that only matter to a controller.
const WORKLOAD_HARMLESS: Record<Workload['kind'], string[]> = {
  Pod: [],
  Deployment: ['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'paused'],
  StatefulSet: ['replicas', 'selector', 'template', 'serviceName', 'volumeClaimTemplates', 'podManagementPolicy', 'updateStrategy', 'revisionHistoryLimit', 'minReadySeconds', 'persistentVolumeClaimRetentionPolicy', 'ordinals'],
  Job: ['template', 'backoffLimit', 'selector', 'manualSelector', 'ttlSecondsAfterFinished', 'completions', 'parallelism', 'completionMode'],
};

const RESTART: Record<string, RestartPolicy> = {Always: 'always', OnFailure: 'on-failure', Never: 'never'};

// One Pod, Deployment, StatefulSet or Job as a pod of the stack: native sidecars
// (initContainers with restartPolicy: Always) in order, other initContainers as init
// jobs, the first container (or the one `sidecar.dev/app` names) as the app, the
// other containers as sidecars started together with the app once the native
// sidecars are ready (the app does not wait for them, as in Kubernetes).
export function podOf(workload: Workload, objects: K8sObjects, dir: string): {pod: Pod; volumes: PodVolumes} {
  const r = workload.reader;
  const at = workload.specPath;
  const spec = workload.spec;
  controllerLosses(workload);
  r.unused(undefined, spec, at, POD_USED, POD_HARMLESS);
  const restart = restartOf(workload);
  const grace = r.int(spec.terminationGracePeriodSeconds, [...at, 'terminationGracePeriodSeconds'], 0, 3600);
  const volumes = podVolumes(r, workload, objects, dir);
  const ctx: ContainerContext = {workload, objects, volumes, dir, restart, stopTimeoutMs: (grace ?? 30) * 1000};

  const sidecars: Service[] = [];
  const init: Service[] = [];
  r.list(spec.initContainers, [...at, 'initContainers']).forEach((item, i) => {
    const p = [...at, 'initContainers', i];
    const raw = r.map(item, p) ?? {};
    if (raw.restartPolicy !== undefined && raw.restartPolicy !== 'Always') {
      r.error([...p, 'restartPolicy'], `an init container's restartPolicy can only be Always (a native sidecar), not ${String(raw.restartPolicy)}`, 'write restartPolicy: Always, or remove it for an init job');
    }
    if (raw.restartPolicy === 'Always') sidecars.push(serviceOf(r, ctx, raw, p, 'sidecar'));
    else init.push(serviceOf(r, ctx, raw, p, 'init'));
  });

  const containers = r.list(spec.containers, [...at, 'containers']);
  if (containers.length === 0) r.error(at, 'the pod has no containers', 'give it at least one: containers: [{name: app, image: IMAGE}]');
  const regular = containers.map((item, i) => serviceOf(r, ctx, r.map(item, [...at, 'containers', i]) ?? {}, [...at, 'containers', i], 'sidecar'));
  const wanted = workload.annotations[APP_ANNOTATION];
  let appIndex = 0;
  if (wanted !== undefined) {
    appIndex = regular.findIndex((service) => service.name === wanted);
    if (appIndex === -1) {
      const annotations = workload.kind === 'Pod' ? ['metadata', 'annotations', APP_ANNOTATION] : ['spec', 'template', 'metadata', 'annotations', APP_ANNOTATION];
      r.error(annotations, `${APP_ANNOTATION} names "${wanted}", which is not one of the containers (${regular.map((s) => s.name).join(', ')})`, 'name one of spec.containers');
      appIndex = 0;
    }
  }
  const app: Service = regular[appIndex] ?? serviceOf(r, ctx, {name: 'app'}, at, 'app');
  app.role = 'app';
  const others = regular.filter((_service, i) => i !== appIndex);
  // KEP-753: regular containers start together once every native sidecar has started.
  for (const service of others) service.withApp = true;
  duplicateNames(workload, [...init, ...sidecars, ...regular]);
  return {pod: {name: workload.name, startup: 'ordered', after: [], app, sidecars: [...sidecars, ...others], init}, volumes};
}

// The pod's restartPolicy for its containers; a Job must say OnFailure or Never.
function restartOf(workload: Workload): RestartPolicy {
  const r = workload.reader;
  const at = [...workload.specPath, 'restartPolicy'];
  const value = r.string(workload.spec.restartPolicy, at);
  if (value !== undefined && !RESTART[value]) {
    r.error(at, `restartPolicy must be Always, OnFailure or Never, not ${value}`, 'write one of Always, OnFailure, Never');
    return 'always';
  }
  if (workload.kind === 'Job' && (value === undefined || value === 'Always')) {
    r.error(value === undefined ? workload.specPath : at, 'a Job\'s pod needs restartPolicy OnFailure or Never', 'write restartPolicy: Never (or OnFailure)');
  }
  return RESTART[value ?? 'Always'] ?? 'always';
}

function controllerLosses(workload: Workload): void {
  const r = workload.reader;
  if (workload.kind === 'Pod') return;
  const spec = (workload.top.spec ?? {}) as Raw;
  r.unused(undefined, spec, ['spec'], [], WORKLOAD_HARMLESS[workload.kind]);
  for (const key of ['replicas', 'completions', 'parallelism']) {
    const count = spec[key];
    if (typeof count === 'number' && count > 1) r.loss(undefined, ['spec', key], `one pod runs here, not ${count}`);
  }
}

function duplicateNames(workload: Workload, services: Service[]): void {
  const seen = new Set<string>();
  for (const service of services) {
    if (seen.has(service.name)) workload.reader.error(workload.specPath, `two containers of the pod are named "${service.name}"`, 'give every container and init container its own name');
    seen.add(service.name);
  }
}
