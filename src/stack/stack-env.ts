import {isIP} from 'node:net';
import {allServices, type Manifest, type PortMapping} from '../manifest/types.js';
import type {RuntimeKind} from '../runtime/types.js';

// `SIDECAR_<SERVICE>_PORT` / `_HOST` for `run -- CMD`: where the first published
// port of each service answers, name upper-cased with `-` and `.` as `_`. The
// process runtime does not remap ports (a process listens where it listens), so
// there it is the container port; under Docker the published host port.
export function stackEnv(manifest: Manifest, runtime: RuntimeKind = 'docker'): Record<string, string> {
  return endpointEnv(manifest.name, allServices(manifest).map((service) => ({id: service.id, ports: service.ports})), runtime);
}

// The same from what a running stack reports (`ps`: each service's id and ports),
// which may differ from a manifest edited since (found by a new user's trial: `run`
// against a running stack handed CMD the edited file's ports, where nothing listened).
export function endpointEnv(project: string, services: {id: string; ports: PortMapping[]}[], runtime: RuntimeKind): Record<string, string> {
  const env: Record<string, string> = {SIDECAR_PROJECT: project};
  for (const service of services) {
    const port = service.ports[0];
    if (!port) continue;
    // The id: `orders/app` is SIDECAR_ORDERS_APP_PORT, so two pods' apps do not collide.
    const key = service.id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    const reached = reachableAt(port, runtime);
    env[`SIDECAR_${key}_HOST`] = reached.host;
    env[`SIDECAR_${key}_PORT`] = String(reached.port);
  }
  return env;
}

// Where this machine reaches a published port: a wildcard bind on loopback, a
// specific address as given; a process listens where it listens (no remapping).
export function reachableAt(port: PortMapping, runtime: RuntimeKind): {host: string; port: number} {
  const host = isIP(port.hostIp) === 0 || port.hostIp === '0.0.0.0' || port.hostIp === '::' ? '127.0.0.1' : port.hostIp;
  return {host, port: runtime === 'process' ? port.containerPort : port.hostPort};
}
