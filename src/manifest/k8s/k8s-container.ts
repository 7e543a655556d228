import {parseCpus, parseMemory, type Resources} from '../resources.js';
import type {PathSegment} from '../source.js';
import type {PortMapping, RestartPolicy, Role, Service} from '../types.js';
import {envOf, expandRefs} from './k8s-env.js';
import type {K8sObjects, Workload} from './k8s-objects.js';
import {probesOf} from './k8s-probes.js';
import type {K8sReader, Raw} from './k8s-reader.js';
import {mountsOf, type PodVolumes} from './k8s-volumes.js';

const USED = ['name', 'image', 'command', 'args', 'env', 'envFrom', 'ports', 'volumeMounts', 'startupProbe', 'readinessProbe', 'livenessProbe', 'workingDir', 'resources', 'restartPolicy'];
// Fields about pulling and the termination log: nothing changes locally without them.
const HARMLESS = ['imagePullPolicy', 'terminationMessagePath', 'terminationMessagePolicy'];

export interface ContainerContext {
  workload: Workload;
  objects: K8sObjects;
  volumes: PodVolumes;
  dir: string;
  restart: RestartPolicy;
  stopTimeoutMs: number;
}

// A container's named ports (`ports[].name`), for probes and Services that name them.
export function namedPorts(r: K8sReader, container: Raw, at: PathSegment[]): Map<string, number> {
  const named = new Map<string, number>();
  r.list(container.ports, [...at, 'ports']).forEach((item, i) => {
    const port = r.map(item, [...at, 'ports', i]) ?? {};
    const number = r.int(port.containerPort, [...at, 'ports', i, 'containerPort'], 1, 65535);
    if (typeof port.name === 'string' && number !== undefined) named.set(port.name, number);
  });
  return named;
}

// One container as a service of the pod (DESIGN "Kubernetes YAML as input").
export function serviceOf(r: K8sReader, ctx: ContainerContext, container: Raw, at: PathSegment[], role: Role): Service {
  const name = r.string(container.name, [...at, 'name']) ?? '';
  const id = `${ctx.workload.name}/${name}`;
  r.unused(id, container, at, USED, HARMLESS);
  const env = envOf(r, id, ctx.workload, ctx.objects, container, at);
  const named = namedPorts(r, container, at);
  const service: Service = {
    name,
    pod: ctx.workload.name,
    id,
    role,
    workdir: ctx.dir,
    env,
    ports: hostPorts(r, id, container, at),
    ...listensOf(container),
    volumes: mountsOf(r, id, container, at, ctx.volumes),
    restart: role === 'sidecar' && container.restartPolicy === 'Always' ? 'always' : role === 'init' ? 'never' : ctx.restart,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: ctx.stopTimeoutMs,
    after: [],
    process: {env: {}},
    watch: [],
  };
  const image = r.string(container.image, [...at, 'image']);
  if (image) service.image = image;
  // `command` replaces ENTRYPOINT and `args` the CMD; `$(VAR)` is expanded in both.
  const command = r.strings(container.command, [...at, 'command']);
  const args = r.strings(container.args, [...at, 'args']);
  if (command || args) service.command = [...(command ?? []), ...(args ?? [])].map((arg) => expandRefs(arg, env));
  if (command) service.replacesEntrypoint = true;
  if (!image && !service.command) r.error(at, `container "${name}" has neither image nor command`, 'give it an image (and a command to run it under the process runtime)');
  const workingDir = r.string(container.workingDir, [...at, 'workingDir']);
  if (workingDir) service.workingDir = workingDir;
  if (role !== 'init') {
    Object.assign(service, probesOf(r, id, container, at, named));
  } else {
    for (const key of ['startupProbe', 'readinessProbe', 'livenessProbe']) if (container[key] !== undefined) r.error([...at, key], 'an init container that is not a native sidecar cannot have probes', 'remove the probe, or add restartPolicy: Always to make it a sidecar');
  }
  const resources = resourcesOf(r, id, container, at);
  if (resources) service.resources = resources;
  return service;
}

// `ports[].hostPort`: published on the host as the kubelet would (on 127.0.0.1 unless hostIP says otherwise).
function hostPorts(r: K8sReader, id: string, container: Raw, at: PathSegment[]): PortMapping[] {
  return r.list(container.ports, [...at, 'ports']).flatMap((item, i): PortMapping[] => {
    const port = r.map(item, [...at, 'ports', i]) ?? {};
    const containerPort = r.int(port.containerPort, [...at, 'ports', i, 'containerPort'], 1, 65535);
    const hostPort = r.int(port.hostPort, [...at, 'ports', i, 'hostPort'], 1, 65535);
    const protocol = r.string(port.protocol, [...at, 'ports', i, 'protocol']) ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP') {
      r.loss(id, [...at, 'ports', i, 'protocol'], `${protocol} is not published here (TCP and UDP are)`);
      return [];
    }
    if (containerPort === undefined || hostPort === undefined) return [];
    return [{hostIp: r.string(port.hostIP, [...at, 'ports', i, 'hostIP']) ?? '127.0.0.1', hostPort, containerPort, protocol: protocol === 'UDP' ? 'udp' : 'tcp'}];
  });
}

// The containerPorts no hostPort publishes (already read and checked by hostPorts).
function listensOf(container: Raw): Pick<Service, 'listens'> {
  const listens = (Array.isArray(container.ports) ? container.ports : []).flatMap((item): NonNullable<Service['listens']> => {
    const port = (item ?? {}) as Raw;
    if (port.hostPort !== undefined || typeof port.containerPort !== 'number') return [];
    const protocol = port.protocol === undefined || port.protocol === 'TCP' ? 'tcp' : port.protocol === 'UDP' ? 'udp' : undefined;
    return protocol ? [{port: port.containerPort, protocol}] : [];
  });
  return listens.length > 0 ? {listens} : {};
}

// `resources.limits` -> resources (DESIGN "Resources"); requests only place a pod on a node.
function resourcesOf(r: K8sReader, id: string, container: Raw, at: PathSegment[]): Resources | undefined {
  const spec = r.map(container.resources, [...at, 'resources']);
  const limits = spec ? r.map(spec.limits, [...at, 'resources', 'limits']) : undefined;
  if (!limits) return undefined;
  const resources: Resources = {};
  for (const [key, value] of Object.entries(limits)) {
    const path = [...at, 'resources', 'limits', key];
    if (key === 'memory' || key === 'cpu') {
      const parsed = key === 'memory' ? parseMemory(value) : parseCpus(value);
      if (!parsed.ok) r.error(path, parsed.message, parsed.suggestion);
      else if (key === 'memory') resources.memoryBytes = parsed.value;
      else resources.cpus = parsed.value;
    } else r.loss(id, path, `only memory and cpu are limited here; ${key} is not`);
  }
  return resources.memoryBytes === undefined && resources.cpus === undefined ? undefined : resources;
}
