import {isIP} from 'node:net';
import {allServices, type Manifest} from '../manifest/types.js';
import type {RuntimeKind} from '../runtime/types.js';

// `SIDECAR_<SERVICE>_PORT` / `_HOST` for `run -- CMD`: where the first published
// port of each service answers, name upper-cased with `-` and `.` as `_`. The
// process runtime does not remap ports (a process listens where it listens), so
// there it is the container port; under Docker the published host port.
export function stackEnv(manifest: Manifest, runtime: RuntimeKind = 'docker'): Record<string, string> {
  const env: Record<string, string> = {SIDECAR_PROJECT: manifest.name};
  for (const service of allServices(manifest)) {
    const port = service.ports[0];
    if (!port) continue;
    // The id: `orders/app` is SIDECAR_ORDERS_APP_PORT, so two pods' apps do not collide.
    const key = service.id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    // A wildcard bind is reached on loopback; a specific address as given.
    env[`SIDECAR_${key}_HOST`] = isIP(port.hostIp) === 0 || port.hostIp === '0.0.0.0' || port.hostIp === '::' ? '127.0.0.1' : port.hostIp;
    env[`SIDECAR_${key}_PORT`] = String(runtime === 'process' ? port.containerPort : port.hostPort);
  }
  return env;
}
