import {SidecarError} from '../errors/index.js';
import {servicesInStartOrder, type Manifest} from '../manifest/types.js';

// A service name on the command line that the manifest does not have.
export function unknownService(manifest: Manifest, name: string): SidecarError {
  const known = servicesInStartOrder(manifest).map((s) => s.name);
  return new SidecarError('SIDECAR_UNKNOWN_SERVICE', `no service named "${name}" in ${manifest.file}`, {
    suggestion: `use one of: ${known.join(', ')}`,
  });
}
