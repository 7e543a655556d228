import {formatPlace, type Place, type Problem} from '../errors/index.js';
import {basePath} from './graph.js';
import {placesOf, type ManifestPlaces} from './loaded-source.js';
import {invalid} from './parse.js';
import {allServices, checksOf, type Manifest, type Service} from './types.js';

interface Use {
  service: Service;
  place: Place;
  verb: string;
}

const FIX = "under the process runtime every pod shares the host's loopback: give one of them another port, or run with --runtime docker (each pod has its own network namespace there)";

// DESIGN "Several pods": the process runtime runs every pod on the host's
// loopback, so a port declared or probed in two pods would be taken by the one
// that starts first and answer the other's probes. Docker (and Kubernetes) give
// each pod its own network namespace, so only the process runtime calls this.
// Within one pod the same rule is graph.ts's checkListeners, for every runtime.
// Places are the file's: a sidecar.yaml path, or a Kubernetes file's field.
export function processPortClashes(places: ManifestPlaces, manifest: Manifest): Problem[] {
  if (manifest.pods.length < 2) return [];
  const problems: Problem[] = [];
  const first = new Map<string, Use>();
  const reported = new Set<string>();
  const order = (place: Place) => place.line * 1e6 + place.column;
  const inFileOrder = allServices(manifest)
    .map((service) => ({service, at: order(places.locate(basePath(service), true))}))
    .sort((a, b) => a.at - b.at)
    .map(({service}) => service);
  for (const service of inFileOrder) {
    for (const [key, use] of usesOf(places, service)) {
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, use);
        continue;
      }
      if (earlier.service.pod === service.pod || reported.has(`${service.pod} ${key}`)) continue;
      reported.add(`${service.pod} ${key}`);
      const message = `port ${key} is used by two pods: ${service.id} ${use.verb}, and ${earlier.service.id} ${earlier.verb} at ${formatPlace(earlier.place)}`;
      problems.push({message, place: use.place, suggestion: FIX});
    }
  }
  return problems;
}

// Throws SIDECAR_MANIFEST_INVALID (exit 3) with every clash, before anything starts.
export function assertProcessPortsDistinct(manifest: Manifest): void {
  if (manifest.pods.length < 2) return;
  const problems = processPortClashes(placesOf(manifest), manifest);
  if (problems.length > 0) throw invalid(problems);
}

// The ports a service listens on under the process runtime (declared container
// ports: nothing remaps them on the host; a Kubernetes containerPort, published
// or not) and the port its http/tcp probe dials. One use per port, the first found.
function usesOf(places: ManifestPlaces, service: Service): [string, Use][] {
  const base = basePath(service);
  const uses: [string, Use][] = places.listens(service).map((listen) => [`${listen.port}/${listen.protocol}`, {service, place: listen.place, verb: 'declares it'}]);
  service.ports.forEach((port, index) => uses.push([`${port.containerPort}/${port.protocol}`, {service, place: places.locate([...base, 'ports', index]), verb: 'declares it'}]));
  for (const {key, check} of checksOf(service)) {
    if (check.kind === 'http' || check.kind === 'tcp') uses.push([`${check.port}/tcp`, {service, place: places.locate([...base, key, check.kind, 'port']), verb: 'is probed on it'}]);
  }
  const seen = new Set<string>();
  return uses.filter(([key]) => !seen.has(key) && seen.add(key) !== undefined);
}
