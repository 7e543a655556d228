import type {SidecarError} from '../errors/index.js';
import {catalogOf, unknownRef} from './service-ref.js';
import type {Manifest} from './types.js';

// A service name on the command line that the manifest does not have (the
// supervisor's own check, after the client resolved the user's words).
export function unknownService(manifest: Manifest, name: string): SidecarError {
  return unknownRef(catalogOf(manifest), name);
}
