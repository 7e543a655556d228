import {sidecarStartOrder} from '../manifest/graph.js';
import type {Pod, Service} from '../manifest/types.js';

// What one service waits for before it starts: `completed` (an init job exited 0),
// `ready` (its probe passed once) or `started` (it runs and has no usable probe).
export type WaitCondition = 'completed' | 'ready' | 'started';
export interface StartDependency {
  on: string;
  condition: WaitCondition;
}

// DESIGN "Lifecycle" 1 as edges: init jobs in order, then sidecars in order (each
// after the previous is ready; `startup: parallel` lets them start together after
// the init jobs, `after` still applies), then the app. Only direct predecessors
// are listed: the rest follows transitively. `probed` says whether the target can
// run a service's probe (a log probe cannot be expressed in Compose or Kubernetes).
export function startDependencies(pod: Pod, probed: (service: Service) => boolean): Map<string, StartDependency[]> {
  const deps = new Map<string, StartDependency[]>();
  const byName = new Map([...pod.init, ...pod.sidecars].map((s) => [s.name, s]));
  const waitFor = (service: Service): StartDependency => ({
    on: service.name,
    condition: service.role === 'init' ? 'completed' : probed(service) ? 'ready' : 'started',
  });
  const add = (service: Service, list: StartDependency[]): void => {
    const unique = list.filter((dep, index) => list.findIndex((d) => d.on === dep.on) === index);
    deps.set(service.name, unique);
  };

  pod.init.forEach((job, index) => add(job, index === 0 ? [] : [waitFor(pod.init[index - 1]!)]));
  const lastInit = pod.init.at(-1);
  const afterInit = lastInit ? [waitFor(lastInit)] : [];
  const all = sidecarStartOrder(pod);
  // Sidecars `withApp` wait for what the app waits for (below), and nothing waits for them.
  const order = all.filter((sidecar) => !sidecar.withApp);
  const explicit = (service: Service): StartDependency[] => service.after.flatMap((name) => (byName.has(name) ? [waitFor(byName.get(name)!)] : []));

  if (pod.startup === 'parallel') {
    for (const sidecar of order) {
      const after = explicit(sidecar);
      add(sidecar, after.length > 0 ? after : afterInit);
    }
    add(pod.app, order.length > 0 ? order.map(waitFor) : afterInit);
  } else {
    order.forEach((sidecar, index) => {
      const previous = index === 0 ? afterInit : [waitFor(order[index - 1]!)];
      add(sidecar, [...previous, ...explicit(sidecar)]);
    });
    const last = order.at(-1);
    add(pod.app, last ? [waitFor(last)] : afterInit);
  }
  for (const sidecar of all) if (sidecar.withApp) add(sidecar, [...(deps.get(pod.app.name) ?? []), ...explicit(sidecar)]);
  return deps;
}
