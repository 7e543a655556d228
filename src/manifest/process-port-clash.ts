import {formatPlace, type Problem} from '../errors/index.js';
import {basePath, offsetOf} from './graph.js';
import {sourceOfManifest} from './loaded-source.js';
import {invalid} from './parse.js';
import {locate, problemAt, type ManifestSource, type PathSegment} from './source.js';
import {allServices, checksOf, type Manifest, type Service} from './types.js';

interface Use {
  service: Service;
  path: PathSegment[];
  verb: string;
}

const FIX = "under the process runtime every pod shares the host's loopback: give one of them another port, or run with --runtime docker (each pod has its own network namespace there)";

// DESIGN "Several pods": the process runtime runs every pod on the host's
// loopback, so a port declared or probed in two pods would be taken by the one
// that starts first and answer the other's probes. Docker (and Kubernetes) give
// each pod its own network namespace, so only the process runtime calls this.
// Within one pod the same rule is graph.ts's checkListeners, for every runtime.
export function processPortClashes(source: ManifestSource, manifest: Manifest): Problem[] {
  if (manifest.pods.length < 2) return [];
  const problems: Problem[] = [];
  const first = new Map<string, Use>();
  const reported = new Set<string>();
  const inFileOrder = [...allServices(manifest)].sort((a, b) => offsetOf(source, a) - offsetOf(source, b));
  for (const service of inFileOrder) {
    for (const [key, use] of usesOf(service)) {
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, use);
        continue;
      }
      if (earlier.service.pod === service.pod || reported.has(`${service.pod} ${key}`)) continue;
      reported.add(`${service.pod} ${key}`);
      const message = `port ${key} is used by two pods: ${service.id} ${use.verb}, and ${earlier.service.id} ${earlier.verb} at ${formatPlace(locate(source, earlier.path))}`;
      problems.push(problemAt(source, use.path, message, FIX));
    }
  }
  return problems;
}

// Throws SIDECAR_MANIFEST_INVALID (exit 3) with every clash, before anything starts.
export function assertProcessPortsDistinct(manifest: Manifest): void {
  if (manifest.pods.length < 2) return;
  const problems = processPortClashes(sourceOfManifest(manifest), manifest);
  if (problems.length > 0) throw invalid(problems);
}

// The ports a service listens on under the process runtime (declared container
// ports: nothing remaps them on the host) and the port its http/tcp probe dials.
function usesOf(service: Service): [string, Use][] {
  const base = basePath(service);
  const uses: [string, Use][] = service.ports.map((port, index) => [`${port.containerPort}/${port.protocol}`, {service, path: [...base, 'ports', index], verb: 'declares it'}]);
  for (const {key, check} of checksOf(service)) {
    if (check.kind === 'http' || check.kind === 'tcp') uses.push([`${check.port}/tcp`, {service, path: [...base, key, check.kind, 'port'], verb: 'is probed on it'}]);
  }
  return uses;
}
