import {formatPlace, type Place, type Problem} from '../errors/index.js';
import {sourcePlaces, type ManifestPlaces, type ManifestSource, type PathSegment} from './source.js';
import {allServices, checksOf, servicesInStartOrder, type Manifest, type Pod, type Service} from './types.js';
import {IMAGE_FIX, imageReferenceProblem} from './image-reference.js';
import {misplacedRefs} from './misplaced-refs.js';
import {checkPodAfter, checkPodRefs} from './pod-graph.js';
import {volumeRefs} from './volume-refs.js';

const ROLE_NOUN = {app: 'the app', sidecar: 'a sidecar', init: 'an init job'} as const;

// Where a service's declaration starts in the file, to order reports by position.
function orderOf(places: ManifestPlaces, service: Service): number {
  const place = places.locate(basePath(service), true);
  return place.line * 1e6 + place.column;
}

// Where a service is declared: at the top level, or under `pods.POD` (its id is then POD/NAME).
export function basePath(service: Service): PathSegment[] {
  const within: PathSegment[] = service.role === 'app' ? ['app'] : [service.role === 'sidecar' ? 'sidecars' : 'init', service.name];
  return service.id === service.name ? within : ['pods', service.pod, ...within];
}

// Stage 5: cross-references the schema cannot see, checked once so the rest can trust them.
export function checkGraph(source: ManifestSource, manifest: Manifest): Problem[] {
  return [...checkStack(sourcePlaces(source), manifest), ...misplacedRefs(source)];
}

// The checks of the stack itself, at the places of the file it was read from:
// a sidecar.yaml, or a Kubernetes file (whose values are not sidecar.yaml text,
// so misplacedRefs, a walk of the sidecar.yaml, is not among them).
export function checkStack(places: ManifestPlaces, manifest: Manifest): Problem[] {
  const problems: Problem[] = [];
  const at = (p: PathSegment[], message: string, suggestion: string, atKey = false) => problems.push({message, place: places.locate(p, atKey), suggestion});
  // Clashes are reported on the later declaration in the file, the one just added.
  const inFileOrder = [...allServices(manifest)].sort((a, b) => orderOf(places, a) - orderOf(places, b));
  // Names are unique within a pod. The app keeps its name; otherwise the
  // declaration further down the file is the one to rename.
  for (const pod of manifest.pods) {
    const seen = new Map<string, Service>();
    for (const service of [pod.app, ...inFileOrder.filter((s) => s.pod === pod.name && s !== pod.app)]) {
      const first = seen.get(service.name);
      if (first) {
        at(basePath(service), `the name "${service.name}" is already used by ${ROLE_NOUN[first.role]}`, 'names must be unique across app, sidecars and init; rename one', true);
      } else seen.set(service.name, service);
    }
  }

  // Host ports belong to the host, whatever the pod; container ports and probe ports to one pod's network.
  const published = new Map<string, Listener>();
  const listening = new Map<string, Map<string, Listener>>();
  for (const service of inFileOrder) {
    const base = basePath(service);
    // A ${pods.X.host} or ${volumes.X} in it is reported as unresolved there (misplaced-refs.ts): the rest is checked.
    const badImage = service.image === undefined ? undefined : imageReferenceProblem(service.image.replace(/\$\{(?:pods\.[a-z0-9-]+\.host|volumes\.[a-z0-9][a-z0-9_.-]*)\}/g, 'x'), service.image);
    if (badImage) at([...base, 'image'], badImage, IMAGE_FIX);
    service.volumes.forEach((mount, index) => {
      if (mount.type === 'volume' && !Object.hasOwn(manifest.volumes, mount.source)) {
        at([...base, 'volumes', index], `volume "${mount.source}" is not declared`, `add it at the top level: volumes: {${mount.source}: {}}`);
      }
    });
    for (const [key, value] of referenceSites(service)) {
      checkPodRefs(manifest, value, [...base, ...key], (p, needle, message, suggestion) => problems.push({message, suggestion, place: places.locateWithin(p, needle)}));
      for (const name of volumeRefs(value)) {
        if (!Object.hasOwn(manifest.volumes, name)) at([...base, ...key], `\${volumes.${name}} names an undeclared volume`, `declare it: volumes: {${name}: {}}`);
        else if (!service.volumes.some((m) => m.type === 'volume' && m.source === name)) {
          at([...base, ...key], `\${volumes.${name}} is used but "${service.name}" does not mount volume "${name}"`, `add "${name}:/some/path" to ${service.name}'s volumes so it has a path inside a container too`);
        }
      }
    }
    service.ports.forEach((port, index) => {
      const wildcard = port.hostIp === '0.0.0.0' || port.hostIp === '::';
      const key = `${port.hostPort}/${port.protocol}`;
      const clash = published.get(`${port.hostIp} ${key}`) ?? (wildcard ? published.get(`* ${key}`) : published.get(`* ${key}`) ?? published.get(`0.0.0.0 ${key}`));
      const here = {service: service.id, place: places.locate([...base, 'ports', index])};
      if (clash) problems.push({message: `host port ${port.hostPort} is already published by ${clash.service} (${formatPlace(clash.place)})`, place: here.place, suggestion: 'publish a different host port, e.g. "18080:8080"'});
      published.set(`${port.hostIp} ${key}`, here);
      published.set(`* ${key}`, here);
    });
    if (!listening.has(service.pod)) listening.set(service.pod, new Map());
    checkListeners(places, service, base, listening.get(service.pod)!, problems);
  }

  for (const pod of manifest.pods) checkAfter(pod, manifest, at);
  checkPodAfter(manifest, at);
  return problems;
}

interface Listener {
  service: string;
  place: Place;
}

// Issue 8.3: the services of a pod share one network (under the process runtime,
// the host's loopback), so a port a service declares or is probed on belongs to
// it alone. Two services on one port is an error at the later one, naming the
// first one's place too: otherwise a probe passes on the other service's listener.
function checkListeners(places: ManifestPlaces, service: Service, base: PathSegment[], listening: Map<string, Listener>, problems: Problem[]): void {
  // A Kubernetes container's containerPorts first: its program listens there, published or not.
  const own: [string, number, Place, string][] = places.listens(service).map((listen) => [`${listen.port}/${listen.protocol}`, listen.port, listen.place, 'declares']);
  service.ports.forEach((port, index) => own.push([`${port.containerPort}/${port.protocol}`, port.containerPort, places.locate([...base, 'ports', index]), 'declares']));
  for (const {key, check} of checksOf(service)) {
    if (check.kind === 'http' || check.kind === 'tcp') own.push([`${check.port}/tcp`, check.port, places.locate([...base, key, check.kind, 'port']), 'is probed on']);
  }
  const mine = new Set<string>();
  for (const [key, port, place, verb] of own) {
    if (mine.has(key)) continue;
    mine.add(key);
    const first = listening.get(key);
    if (!first) {
      listening.set(key, {service: service.name, place});
      continue;
    }
    problems.push({
      message: `port ${port} is already used by ${first.service} (${formatPlace(first.place)}); ${service.name} ${verb} it too, in the shared pod network`,
      place,
      suggestion: 'services of one pod share one network (the host loopback under the process runtime): give each its own port',
    });
  }
}

// Where `${volumes.NAME}` and `${pods.NAME.host}` may stand: env values, command
// arguments (process overrides too), a health exec command.
function referenceSites(service: Service): [PathSegment[], string][] {
  const sites: [PathSegment[], string][] = [];
  for (const [key, value] of Object.entries(service.env)) sites.push([['env', key], value]);
  for (const [key, value] of Object.entries(service.process.env)) sites.push([['process', 'env', key], value]);
  service.command?.forEach((arg, i) => sites.push([['command', i], arg]));
  service.process.command?.forEach((arg, i) => sites.push([['process', 'command', i], arg]));
  for (const {key, check} of checksOf(service)) if (check.kind === 'exec') check.command.forEach((arg, i) => sites.push([[key, 'exec', i], arg]));
  return sites;
}

// `after` between the services of one pod.
function checkAfter(pod: Pod, manifest: Manifest, at: (p: PathSegment[], m: string, s: string) => void): void {
  const sidecars = new Set(pod.sidecars.map((s) => s.name));
  const inits = new Set(pod.init.map((s) => s.name));
  for (const service of servicesInStartOrder(pod)) {
    service.after.forEach((name, index) => {
      const p = [...basePath(service), 'after', index];
      if (name === service.name) at(p, `"${service.name}" cannot start after itself`, 'remove it from after');
      else if (name === 'app' && service.role !== 'app') at(p, 'sidecars and init jobs start before the app, never after it', 'remove "app" from after');
      else if (service.role === 'init' && !inits.has(name)) at(p, `init job "${service.name}" can only wait for other init jobs`, 'init jobs run before every sidecar; remove it');
      else if (!sidecars.has(name) && !inits.has(name)) {
        // `after: [payments]` or `[payments/app]` on a service: pods order each other at the pod.
        const other = manifest.form === 'pods' ? manifest.pods.find((p) => p.name === name.split('/')[0] && p !== pod) : undefined;
        const fix = other
          ? `a service waits only for sidecars and init jobs of its own pod; to start after pod "${other.name}", write after: [${other.name}] on the pod (pods.${pod.name}.after)`
          : `use one of: ${[...sidecars, ...inits].join(', ') || '(none declared)'}`;
        at(p, `"${name}" is not a sidecar or init job`, fix);
      }
    });
  }
  const cycle = findCycle(pod.sidecars);
  if (cycle) {
    const first = pod.sidecars.find((s) => s.name === cycle[0])!;
    at([...basePath(first), 'after'], `start order has a cycle: ${cycle.join(' -> ')}`, 'remove one of the `after` entries in the cycle');
  }
}

function findCycle(sidecars: Service[]): string[] | undefined {
  const byName = new Map(sidecars.map((s) => [s.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of byName.get(name)?.after ?? []) {
      if (!byName.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const sidecar of sidecars) {
    const found = visit(sidecar.name);
    if (found) return found;
  }
  return undefined;
}

// Sidecars in start order: declaration order, except that a sidecar waits for
// its `after` dependencies (a stable topological sort). Assumes checkGraph passed.
export function sidecarStartOrder(pod: Pod): Service[] {
  const done = new Set<string>(pod.init.map((s) => s.name));
  const pending = [...pod.sidecars];
  const order: Service[] = [];
  while (pending.length > 0) {
    const index = pending.findIndex((s) => s.after.every((dep) => done.has(dep)));
    const next = pending.splice(index === -1 ? 0 : index, 1)[0]!;
    order.push(next);
    done.add(next.name);
  }
  return order;
}
