import type {Manifest, Resources, Service} from '../manifest/types.js';
import {formatCpusK8s, formatMemory} from '../manifest/resources.js';
import {imageOf} from '../runtime/docker/naming.js';
import {containerCommand, containerEnv} from './container-env.js';
import {k8sProbes, type K8sProbes} from './k8s-probes.js';
import type {K8sVolumeMount} from './k8s-volumes.js';
import type {LossList} from './loss.js';
import {relativeTo} from './paths.js';

export type K8sContainer = {
  name: string;
  image: string;
  imagePullPolicy?: 'IfNotPresent';
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: {name: string; value: string}[];
  ports?: {containerPort: number; protocol: 'TCP' | 'UDP'}[];
  volumeMounts?: K8sVolumeMount[];
  restartPolicy?: 'Always';
  resources?: {limits: K8sQuantities; requests: K8sQuantities};
} & K8sProbes;

type K8sQuantities = {memory?: string; cpu?: string};

export interface ContainerOptions {
  // Plain init containers may not carry probes in Kubernetes.
  probes: boolean;
  nativeSidecar: boolean;
}

// DESIGN "Resources": limits, and requests equal to them (the Guaranteed QoS class:
// the scheduler reserves what the limit allows, as a local run gets it).
function k8sResources(resources: Resources): {limits: K8sQuantities; requests: K8sQuantities} {
  const quantities: K8sQuantities = {
    ...(resources.memoryBytes !== undefined ? {memory: formatMemory(resources.memoryBytes)} : {}),
    ...(resources.cpus !== undefined ? {cpu: formatCpusK8s(resources.cpus)} : {}),
  };
  return {limits: quantities, requests: {...quantities}};
}

// One service as a container. The manifest's `command` replaces the image's CMD
// (as in Docker and Compose), which in Kubernetes is `args`, not `command`.
export function k8sContainer(manifest: Manifest, service: Service, mounts: K8sVolumeMount[], options: ContainerOptions, losses: LossList): K8sContainer {
  const container: K8sContainer = {name: service.name, image: imageOf(manifest, service)};
  if (!service.image && service.build) {
    container.imagePullPolicy = 'IfNotPresent';
    losses.add(service.id, 'build', `Kubernetes does not build images: build ${imageOf(manifest, service)} from ${relativeTo(manifest.dir, service.build.context)} and push it where the cluster pulls from`);
  }
  const args = containerCommand(service);
  if (args) container[service.replacesEntrypoint ? 'command' : 'args'] = args;
  if (service.workingDir) container.workingDir = service.workingDir;
  const env = Object.entries(containerEnv(service)).map(([name, value]) => ({name, value}));
  if (env.length > 0) container.env = env;
  if (service.ports.length > 0) {
    const list = service.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}`).join(', ');
    losses.add(service.id, 'ports', `a Pod does not publish ports on a host (${list}): use a Service or \`kubectl port-forward\``);
  }
  // Published ports, then the ports it only listens on (a Kubernetes input's unpublished containerPorts).
  const declared = [
    ...service.ports.map((p) => ({containerPort: p.containerPort, protocol: p.protocol === 'udp' ? ('UDP' as const) : ('TCP' as const)})),
    ...(service.listens ?? []).map((l) => ({containerPort: l.port, protocol: l.protocol === 'udp' ? ('UDP' as const) : ('TCP' as const)})),
  ];
  const unique = declared.filter((port, i) => declared.findIndex((other) => other.containerPort === port.containerPort && other.protocol === port.protocol) === i);
  if (unique.length > 0) container.ports = unique;
  if (mounts.length > 0) container.volumeMounts = mounts;
  if (service.resources) container.resources = k8sResources(service.resources);
  if (options.nativeSidecar) container.restartPolicy = 'Always';
  if (options.probes) Object.assign(container, k8sProbes(service, losses)); else if (service.health) {
    losses.add(service.id, 'health', 'init containers cannot have probes in Kubernetes: dropped (the job must exit 0 anyway)');
  }
  if (service.stopSignal !== 'SIGTERM') {
    losses.add(service.id, 'stopSignal', `Kubernetes stops containers with SIGTERM (or the image's STOPSIGNAL); ${service.stopSignal} is dropped`);
  }
  if (service.maxRestarts !== undefined && service.role !== 'app') {
    losses.add(service.id, 'maxRestarts', 'Kubernetes restarts containers without a cap: maxRestarts is dropped');
  }
  if (Object.keys(service.process.env).length > 0 || service.process.command) {
    losses.add(service.id, 'process', '`process:` overrides apply to the process runtime only and are not in the pod');
  }
  return container;
}
