import type Docker from 'dockerode';
import type {ContainerCreateOptions} from 'dockerode';
import type {Manifest, Pod, Service} from '../../manifest/types.js';
import {checksOf, servicesInStartOrder} from '../../manifest/types.js';
import {containerCommand, containerEnv} from '../../generate/container-env.js';
import {resolvePodRefs} from '../../manifest/pod-refs.js';
import type {ImageCommand} from './images.js';
import {containerName, imageOf, infraName, Label, networkName, podLabels, shortHash, volumeName} from './naming.js';
import {GATE_MOUNT, gatedCommand, type GateFiles} from './start-gate.js';

type PortBindings = Record<string, Array<{HostIp: string; HostPort: string}>>;

// Ports the supervisor probes (http/tcp health): published on loopback with an
// engine-chosen host port only where container IPs are not reachable from the
// host (Docker Desktop, rootless). See docs/docker-runtime.md.
export function probePorts(pod: Pod): number[] {
  const ports = new Set<number>();
  for (const service of servicesInStartOrder(pod)) {
    for (const {check} of checksOf(service)) if (check.kind === 'http' || check.kind === 'tcp') ports.add(check.port);
  }
  return [...ports].sort((a, b) => a - b);
}

function withHash(spec: ContainerCreateOptions, labels: Record<string, string>, extra: string): ContainerCreateOptions {
  const configHash = shortHash(JSON.stringify(spec) + extra, 16);
  return {...spec, Labels: {...labels, [Label.configHash]: configHash}};
}

// The pod: owns the network namespace, the hostname and every published port of
// its own services, so restarting the app never takes the sidecars' network with
// it (Compose #10263). With pods it joins the project network under the pod's
// name, so other pods reach it as NAME (`${pods.NAME.host}`), as a Kubernetes
// Service named after the pod resolves in the cluster.
export function infraSpec(manifest: Manifest, pod: Pod, infraImage: string, publishProbePorts: boolean): ContainerCreateOptions {
  const bindings: PortBindings = {};
  const bind = (key: string, HostIp: string, HostPort: string): void => {
    (bindings[key] ??= []).push({HostIp, HostPort});
  };
  for (const service of servicesInStartOrder(pod)) {
    for (const port of service.ports) bind(`${port.containerPort}/${port.protocol}`, port.hostIp, String(port.hostPort));
  }
  if (publishProbePorts) for (const port of probePorts(pod)) bind(`${port}/tcp`, '127.0.0.1', '');
  const network = networkName(manifest);
  const spec: ContainerCreateOptions = {
    name: infraName(manifest, pod.name),
    Image: infraImage,
    Hostname: pod.name,
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((key) => [key, {}])),
    HostConfig: {PortBindings: bindings, RestartPolicy: {Name: 'no'}, ...(network ? {NetworkMode: network} : {})},
    ...(network ? {NetworkingConfig: {EndpointsConfig: {[network]: {Aliases: [pod.name]}}}} : {}),
  };
  return withHash(spec, {...podLabels(manifest, pod), [Label.service]: 'pod', [Label.role]: 'infra'}, '');
}

// `${pods.NAME.host}` is NAME under Docker: the pod's alias on the project network.
export function dockerPodHost(value: string): string {
  return resolvePodRefs(value, (pod) => pod);
}

// `${volumes.NAME}` is the mount path here, in env and command alike, exactly as
// the generators write it (one manifest serves both runtimes and every output).
function environment(service: Service): string[] {
  return Object.entries(containerEnv(service)).map(([key, value]) => `${key}=${dockerPodHost(value)}`);
}

function binds(manifest: Manifest, service: Service): string[] {
  return service.volumes.map((mount) => {
    const source = mount.type === 'volume' ? volumeName(manifest, mount.source) : mount.hostPath;
    return `${source}:${mount.target}${mount.readOnly ? ':ro' : ''}`;
  });
}

// DESIGN "Resources": the container's memory and CPU limits. MemorySwap equal to
// Memory: no swap on top, so the limit is the limit (`docker run -m` alone allows
// as much swap again), as Kubernetes runs without swap.
// `engineCpus`: the engine refuses more CPUs than it has ("Range of CPUs is from
// 0.01 to 2.00"), so a limit written for a bigger machine is capped to it.
function limits(service: Service, engineCpus?: number): Docker.HostConfig {
  const {memoryBytes} = service.resources ?? {};
  const wanted = service.resources?.cpus;
  const cpus = wanted !== undefined && engineCpus !== undefined && engineCpus > 0 ? Math.min(wanted, engineCpus) : wanted;
  return {
    ...(memoryBytes !== undefined ? {Memory: memoryBytes, MemorySwap: memoryBytes} : {}),
    ...(cpus !== undefined ? {NanoCpus: Math.round(cpus * 1e9)} : {}),
  };
}

// One unit joining the pod's network namespace. No engine restart policy: the
// supervisor owns restarts (backoff, maxRestarts) from the event stream.
// imageId enters the config hash so a rebuilt image means a changed service.
export function serviceSpec(manifest: Manifest, service: Service, infraId: string, imageId: string, engineCpus?: number): ContainerCreateOptions {
  const spec: ContainerCreateOptions = {
    name: containerName(manifest, service),
    Image: imageOf(manifest, service),
    // A Kubernetes `command` replaces the image's ENTRYPOINT as well (the engine then drops the image's CMD).
    ...(service.command ? (service.replacesEntrypoint ? {Entrypoint: containerCommand(service)!.map(dockerPodHost)} : {Cmd: containerCommand(service)!.map(dockerPodHost)}) : {}),
    ...(service.workingDir ? {WorkingDir: service.workingDir} : {}),
    Env: environment(service),
    StopSignal: service.stopSignal,
    StopTimeout: Math.ceil(service.stopTimeoutMs / 1000),
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      NetworkMode: `container:${infraId}`,
      Binds: binds(manifest, service),
      RestartPolicy: {Name: 'no'},
      // The engine's init (tini) is PID 1 and forwards signals, so a program that
      // installs no handler dies of SIGTERM as it would on the host (the process
      // runtime), instead of ignoring it as PID 1 and waiting out stopTimeout.
      Init: true,
      ...limits(service, engineCpus),
    },
  };
  const labels = {...podLabels(manifest, service.pod), [Label.service]: service.id, [Label.role]: service.role};
  return withHash(spec, labels, imageId);
}

// start-gate.ts: the same container with its program behind the gate, run as
// the engine would have run it (the image's entrypoint and command where the
// service gives none). Undefined when there is nothing to run: the engine says why then.
export function gatedSpec(spec: ContainerCreateOptions, gate: GateFiles, image: ImageCommand): ContainerCreateOptions | undefined {
  const list = (value: string | string[] | undefined): string[] | undefined => (Array.isArray(value) ? value : typeof value === 'string' ? [value] : undefined);
  const entrypoint = list(spec.Entrypoint);
  const argv = entrypoint ?? [...image.entrypoint, ...(list(spec.Cmd) ?? image.cmd)];
  if (argv.length === 0) return undefined;
  const {Cmd: _cmd, ...rest} = spec;
  const mount = {Type: 'bind' as const, Source: gate.dir, Target: GATE_MOUNT, ReadOnly: true};
  return {...rest, Entrypoint: gatedCommand(argv), HostConfig: {...spec.HostConfig, Mounts: [...(spec.HostConfig?.Mounts ?? []), mount]}};
}

