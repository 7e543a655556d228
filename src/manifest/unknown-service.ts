import {SidecarError} from '../errors/index.js';
import {catalogOf, resolveServiceRefs, unknownRef} from './service-ref.js';
import type {Manifest} from './types.js';

// Why a word the supervisor got (from the CLI, already resolved, or straight from
// the Node API) names no single service: the same answer the CLI gives, so an
// ambiguous bare name lists the candidates rather than read as unknown, and a
// pod where one service is needed (exec, endpoint) says so.
export function unknownService(manifest: Manifest, name: string): SidecarError {
  const catalog = catalogOf(manifest);
  let ids: string[];
  try {
    ids = resolveServiceRefs(catalog, [name]);
  } catch (error) {
    if (error instanceof SidecarError) return error;
    throw error;
  }
  if (ids.length > 1) {
    return new SidecarError('SIDECAR_USAGE', `"${name}" is a pod of ${ids.length} services; this needs one service`, {suggestion: `name one of: ${ids.join(', ')}`});
  }
  return unknownRef(catalog, name);
}
