import {SidecarError} from '../errors/index.js';
import {allServices, type Manifest} from './types.js';

// A service name on the command line that the manifest does not have.
export function unknownService(manifest: Manifest, name: string): SidecarError {
  return unknownServiceName(name, allServices(manifest).map((s) => s.name), manifest.file);
}

// The same, when the names come from a recorded state rather than a loaded manifest.
export function unknownServiceName(name: string, known: readonly string[], file: string): SidecarError {
  return new SidecarError('SIDECAR_UNKNOWN_SERVICE', `no service named "${name}" in ${file}`, {
    suggestion: `use one of: ${known.join(', ')}`,
  });
}
