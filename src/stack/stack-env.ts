import {isIP} from 'node:net';
import {servicesInStartOrder, type Manifest} from '../manifest/types.js';

// `SIDECAR_<SERVICE>_PORT` / `_HOST` for `run -- CMD`: the first published host port
// of each service, name upper-cased with `-` and `.` as `_`.
export function stackEnv(manifest: Manifest): Record<string, string> {
  const env: Record<string, string> = {SIDECAR_PROJECT: manifest.name};
  for (const service of servicesInStartOrder(manifest)) {
    const port = service.ports[0];
    if (!port) continue;
    const key = service.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    // A wildcard bind is reached on loopback; a specific address as given.
    env[`SIDECAR_${key}_HOST`] = isIP(port.hostIp) === 0 || port.hostIp === '0.0.0.0' || port.hostIp === '::' ? '127.0.0.1' : port.hostIp;
    env[`SIDECAR_${key}_PORT`] = String(port.hostPort);
  }
  return env;
}
