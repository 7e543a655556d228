import {SidecarError} from '../errors/index.js';
import {basePath} from '../manifest/graph.js';
import {placeInManifest} from '../manifest/loaded-source.js';
import {allServices, type Manifest, type Service} from '../manifest/types.js';

// A container target needs something to run in a container: a command alone
// only serves the process runtime. All offenders are reported at once.
export function requireImages(manifest: Manifest, target: string): void {
  const missing = allServices(manifest).filter((service) => !service.image && !service.build);
  if (missing.length === 0) return;
  const places = missing.map((service) => placeInManifest(manifest, pathOf(service), true));
  throw new SidecarError('SIDECAR_MANIFEST_INVALID', `${target} needs an image for every service; ${missing.map((s) => s.id).join(', ')} ${missing.length === 1 ? 'has' : 'have'} only a command`, {
    problems: missing.map((service, index) => ({
      ...(places[index] ? {place: places[index]} : {}),
      message: `${places[index] ? '' : `${manifestPath(service)}: `}${service.role} "${service.id}" has no image or build, so ${target} cannot run it`,
      suggestion: 'add `image: NAME` or `build: ./dir` to it (keep `command` for the process runtime)',
    })),
  });
}

function manifestPath(service: Service): string {
  return pathOf(service).join('.');
}

// Top level, or under `pods.POD` in the pods form.
function pathOf(service: Service): string[] {
  return basePath(service).map(String);
}
