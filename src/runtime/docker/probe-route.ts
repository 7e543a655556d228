import {engineInfo} from './engine-info.js';
import net from 'node:net';
import type Docker from 'dockerode';
import type {ContainerInspectInfo} from 'dockerode';
import {SidecarError} from '../../errors/index.js';

// How the supervisor reaches a port inside the pod (docs/docker-runtime.md):
// - direct: the infra container's IP, when the host can route to it (Linux
//   engines): exact TCP semantics, nothing in between;
// - published: the loopback port the engine published for it (Docker Desktop,
//   rootless, remote engines), where container IPs are not reachable.
export type ProbeRoute = {kind: 'direct'; ip: string} | {kind: 'published'; host: string; ports: Map<number, number>};

// A refused connection proves the address is routable as much as an accepted one.
function reachable(ip: string, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({host: ip, port: 9});
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}

function containerIp(info: ContainerInspectInfo): string | undefined {
  const settings = info.NetworkSettings as typeof info.NetworkSettings & {IPAddress?: string};
  if (settings.IPAddress) return settings.IPAddress;
  return Object.values(settings.Networks ?? {}).find((network) => network.IPAddress)?.IPAddress;
}

// Published ports answer on the engine's host: loopback for a local socket.
function publishedHost(): string {
  const host = process.env.DOCKER_HOST ?? '';
  if (/^(tcp|http|https|ssh):\/\//.test(host)) return new URL(host.replace(/^tcp:/, 'http:')).hostname;
  return '127.0.0.1';
}

export function forcedPublished(): boolean {
  return process.env.SIDECAR_DOCKER_PROBE_ROUTE === 'published';
}

// A rootless engine (Docker's dockerd-rootless.sh, rootless podman) keeps
// container addresses inside its own network namespace: never routable from
// the host, though the same subnet may be (a rootful engine's bridge on the
// same machine answers "refused" there, which would pass the check below and
// send probes to somebody else's containers: seen with rootless beside rootful
// Docker, issue 15.2). Asked once per client.
export function engineIsRootless(docker: Docker): Promise<boolean> {
  return engineInfo(docker).then((info) => (info?.SecurityOptions ?? []).some((o) => o.split(',').includes('name=rootless')));
}

// Why probes cannot reach the pod at its own address, or undefined when they can.
export async function unreachableWhy(infra: ContainerInspectInfo, docker?: Docker): Promise<string | undefined> {
  if (forcedPublished()) return 'SIDECAR_DOCKER_PROBE_ROUTE=published asks for it';
  if (docker && (await engineIsRootless(docker))) return 'the engine runs rootless: container addresses are in its own network namespace';
  const ip = containerIp(infra);
  if (!ip) return 'the pod has no container address';
  if (!(await reachable(ip))) return `the pod's address ${ip} is not reachable from this host (Docker Desktop, rootless Docker or a remote engine)`;
  return undefined;
}

export function directRoute(infra: ContainerInspectInfo): ProbeRoute {
  return {kind: 'direct', ip: containerIp(infra)!};
}

export function publishedRoute(infra: ContainerInspectInfo): ProbeRoute {
  const ports = new Map<number, number>();
  for (const [key, bindings] of Object.entries(infra.NetworkSettings.Ports ?? {})) {
    const [port, protocol] = key.split('/');
    if (protocol !== 'tcp' || !bindings) continue;
    // Prefer the loopback binding (the probe port) over a user's 0.0.0.0 one.
    const binding = bindings.find((b) => b.HostIp === '127.0.0.1') ?? bindings[0];
    if (binding) ports.set(Number(port), Number(binding.HostPort));
  }
  return {kind: 'published', host: publishedHost(), ports};
}

export function routeTo(route: ProbeRoute, service: string, containerPort: number): {host: string; port: number} {
  if (route.kind === 'direct') return {host: route.ip, port: containerPort};
  const port = route.ports.get(containerPort);
  if (port !== undefined) return {host: route.host, port};
  throw new SidecarError('SIDECAR_STACK_FAILED', `port ${containerPort} of ${service} is not reachable from the host: the pod publishes only ${[...route.ports.keys()].join(', ') || 'no ports'}`, {
    suggestion: `declare the probe in the manifest (health.http/tcp port ${containerPort}) so the pod publishes it, or use an exec probe`,
  });
}
