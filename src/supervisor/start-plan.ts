import {SidecarError} from '../errors/index.js';
import {findService, podsInStartOrder, type Manifest, type Pod, type Service} from '../manifest/types.js';
import {unknownService} from '../manifest/unknown-service.js';

// What must be ready before a sidecar or the app starts (DESIGN 1): the previous
// sidecar (ordered startup), every sidecar (for the app), and `after`. A sidecar
// `withApp` (a Kubernetes regular container beside the app) waits for what the app
// waits for, and nothing waits for it.
export function gatesOf(pod: Pod, service: Service): string[] {
  const gates = new Set<string>();
  const names = new Set(pod.sidecars.map((s) => s.name).concat(pod.app.name));
  const before = pod.sidecars.filter((s) => !s.withApp);
  if (service.role === 'app' || service.withApp) {
    for (const sidecar of before) gates.add(sidecar.name);
  } else if (service.role === 'sidecar' && pod.startup === 'ordered') {
    const index = before.findIndex((s) => s.name === service.name);
    if (index > 0) gates.add(before[index - 1]!.name);
  }
  // `after` may name init jobs; those are done before any sidecar starts.
  for (const name of service.after) if (names.has(name)) gates.add(name);
  return [...gates];
}

// Sidecars and app to start for `up [SERVICE...]`: the named ones and what they wait for.
export function selectServices(pod: Pod, only: string[] | undefined): Service[] {
  const longRunning = [...pod.sidecars, pod.app];
  if (!only || only.length === 0) return longRunning;
  const byName = new Map(longRunning.map((s) => [s.name, s]));
  const initNames = new Set(pod.init.map((s) => s.name));
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name) || initNames.has(name)) return;
    const service = byName.get(name);
    if (!service) {
      throw new SidecarError('SIDECAR_UNKNOWN_SERVICE', `no service named "${name}"`, {
        suggestion: `known services: ${[...byName.keys()].join(', ')}`,
      });
    }
    wanted.add(name);
    for (const gate of gatesOf(pod, service)) visit(gate);
  };
  for (const name of only) visit(name);
  return longRunning.filter((s) => wanted.has(s.name));
}

// `up [REF...]` over the whole stack: per selected pod (in start order) the sidecars
// and app to start. A ref is a service (its id, or its bare name where only one pod
// has it) or, in the pods form, a pod (all its services, DESIGN "up payments");
// every pod a selected pod is `after` comes whole, since it must be ready first.
export function selectPods(manifest: Manifest, only: string[] | undefined): Map<string, Service[]> {
  const wanted = new Map<string, Set<string> | 'all'>();
  const want = (pod: string, name?: string): void => {
    const current = wanted.get(pod);
    if (current === 'all') return;
    if (name === undefined) wanted.set(pod, 'all');
    else wanted.set(pod, new Set([...(current ?? []), name]));
  };
  if (!only || only.length === 0) for (const pod of manifest.pods) want(pod.name);
  for (const ref of only ?? []) {
    const service = findService(manifest, ref);
    if (service) want(service.pod, service.name);
    else if (manifest.form === 'pods' && manifest.pods.some((pod) => pod.name === ref)) want(ref);
    else throw unknownService(manifest, ref);
  }
  const byName = new Map(manifest.pods.map((pod) => [pod.name, pod]));
  const pullIn = (name: string): void => {
    for (const before of byName.get(name)?.after ?? []) {
      if (wanted.get(before) === 'all') continue;
      want(before);
      pullIn(before);
    }
  };
  for (const name of [...wanted.keys()]) pullIn(name);
  const selection = new Map<string, Service[]>();
  for (const pod of podsInStartOrder(manifest)) {
    const names = wanted.get(pod.name);
    if (names !== undefined) selection.set(pod.name, selectServices(pod, names === 'all' ? undefined : [...names]));
  }
  return selection;
}

// The order a runtime makes units ahead in (Stack.precreate): what starts sooner
// first. A pod starts once the pods it is `after` are ready, so pods come by their
// depth in that order; pods of one depth start together, so their units come
// interleaved (every pod's first, then every pod's second...), so that no pod's
// first service waits for another pod's last one to be made (issue 13.5).
export function aheadOrder(pods: ReadonlyArray<{name: string; after: readonly string[]; units: readonly Service[]}>): Service[] {
  const byName = new Map(pods.map((pod) => [pod.name, pod]));
  const depth = new Map<string, number>();
  const depthOf = (name: string, path: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const pod = byName.get(name);
    // Not starting now (already up), or a cycle validation refused: nothing to wait for here.
    if (!pod || path.has(name)) return -1;
    path.add(name);
    const value = 1 + Math.max(-1, ...pod.after.map((before) => depthOf(before, path)));
    path.delete(name);
    depth.set(name, value);
    return value;
  };
  const ranked = pods.flatMap((pod) => pod.units.map((unit, index) => ({unit, depth: depthOf(pod.name, new Set()), index})));
  // A stable sort: pods of one depth keep their order at each position.
  return ranked.sort((a, b) => a.depth - b.depth || a.index - b.index).map((entry) => entry.unit);
}
