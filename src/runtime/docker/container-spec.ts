import type {ContainerCreateOptions} from 'dockerode';
import type {Manifest, Service} from '../../manifest/types.js';
import {allServices} from '../../manifest/types.js';
import {containerCommand, containerEnv} from '../../generate/container-env.js';
import {containerName, imageOf, Label, podName, projectLabels, shortHash, volumeName} from './naming.js';

type PortBindings = Record<string, Array<{HostIp: string; HostPort: string}>>;

// Ports the supervisor probes (http/tcp health): published on loopback with an
// engine-chosen host port only where container IPs are not reachable from the
// host (Docker Desktop, rootless). See docs/docker-runtime.md.
export function probePorts(manifest: Manifest): number[] {
  const ports = new Set<number>();
  for (const service of allServices(manifest)) {
    const check = service.health?.check;
    if (check?.kind === 'http' || check?.kind === 'tcp') ports.add(check.port);
  }
  return [...ports].sort((a, b) => a - b);
}

function withHash(spec: ContainerCreateOptions, labels: Record<string, string>, extra: string): ContainerCreateOptions {
  const configHash = shortHash(JSON.stringify(spec) + extra, 16);
  return {...spec, Labels: {...labels, [Label.configHash]: configHash}};
}

// The pod: owns the network namespace, the hostname and every published port,
// so restarting the app never takes the sidecars' network with it (Compose #10263).
export function infraSpec(manifest: Manifest, infraImage: string, publishProbePorts: boolean): ContainerCreateOptions {
  const bindings: PortBindings = {};
  const bind = (key: string, HostIp: string, HostPort: string): void => {
    (bindings[key] ??= []).push({HostIp, HostPort});
  };
  for (const service of allServices(manifest)) {
    for (const port of service.ports) bind(`${port.containerPort}/${port.protocol}`, port.hostIp, String(port.hostPort));
  }
  if (publishProbePorts) for (const port of probePorts(manifest)) bind(`${port}/tcp`, '127.0.0.1', '');
  const spec: ContainerCreateOptions = {
    name: podName(manifest),
    Image: infraImage,
    Hostname: manifest.name,
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((key) => [key, {}])),
    HostConfig: {PortBindings: bindings, RestartPolicy: {Name: 'no'}},
  };
  return withHash(spec, {...projectLabels(manifest), [Label.service]: 'pod', [Label.role]: 'infra'}, '');
}

// `${volumes.NAME}` is the mount path here, in env and command alike, exactly as
// the generators write it (one manifest serves both runtimes and every output).
function environment(service: Service): string[] {
  return Object.entries(containerEnv(service)).map(([key, value]) => `${key}=${value}`);
}

function binds(manifest: Manifest, service: Service): string[] {
  return service.volumes.map((mount) => {
    const source = mount.type === 'volume' ? volumeName(manifest, mount.source) : mount.hostPath;
    return `${source}:${mount.target}${mount.readOnly ? ':ro' : ''}`;
  });
}

// One unit joining the pod's network namespace. No engine restart policy: the
// supervisor owns restarts (backoff, maxRestarts) from the event stream.
// imageId enters the config hash so a rebuilt image means a changed service.
export function serviceSpec(manifest: Manifest, service: Service, infraId: string, imageId: string): ContainerCreateOptions {
  const spec: ContainerCreateOptions = {
    name: containerName(manifest, service),
    Image: imageOf(manifest, service),
    ...(service.command ? {Cmd: containerCommand(service)} : {}),
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
    },
  };
  const labels = {...projectLabels(manifest), [Label.service]: service.name, [Label.role]: service.role};
  return withHash(spec, labels, imageId);
}
