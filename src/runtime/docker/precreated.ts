import type Docker from 'dockerode';
import type {Service} from '../../manifest/types.js';
import type {GateFiles} from './start-gate.js';

// A container made ahead, its output already attached (attaching waits for output, so it may come first).
export interface Ahead {
  container: Docker.Container;
  logsEnded: Promise<void>;
  // Started already, its program behind this gate (start-gate.ts).
  gate?: GateFiles;
  // The engine refused that start: said in the container's turn.
  startError?: unknown;
}

interface Creation {
  service: Service;
  infraId: string;
  ahead: Promise<Ahead | undefined>;
}

// At most this many creations (or gated starts) ask the engine at once (issue
// 13.5: 50 sidecars created at once made dockerd answer the first start, which
// waits for its own creation, after all 50); queued in start order, so the first
// to start is created first. A step holds its place only while it asks: not
// while it waits for its pod's infra to run, which left other pods' containers
// uncreated behind 6 waiting ones (of 3 pods started together, the third's were
// created at 929 ms in an engine trace, the others' at ~260 ms).
export const CREATE_CONCURRENCY = 6;

// Runs one engine step of a creation in its turn (at most CREATE_CONCURRENCY at once).
export type Bounded = <T>(step: () => Promise<T>) => Promise<T>;

// Issue 13.2: creating a container does not depend on the start order, only
// starting it does (a Kubernetes pod's containers are all created from one
// spec; Compose creates before it starts too). So every container of a pod is
// created (and its output attached) when the pod's infra exists, while it
// starts, and start() then only starts them, in lifecycle order. A creation that failed, or one made for a service
// or pod that has changed since, is not used: start() creates afresh as ever
// (and says why it fails); what is never started goes with the project's teardown.
export class PrecreatedContainers {
  private readonly pending = new Map<string, Creation>();
  private readonly queue: Array<() => void> = [];
  private running = 0;
  private generation = 0;

  // Once per service and infra: a second ask for the same (the pod's start after
  // the stack's plan) keeps the creation under way.
  add(service: Service, infraId: string, create: (bounded: Bounded) => Promise<Ahead>): void {
    if (!this.wants(service, infraId)) return;
    const current = this.pending.get(service.id);
    // One made for an older infra (the pod's namespace made again) goes first: both would hold the name.
    const before = current ? current.ahead.then((ahead) => ahead?.container.remove({force: true, v: true}).catch(() => undefined)) : Promise.resolve();
    this.pending.set(service.id, {service, infraId, ahead: before.then(() => create((step) => this.bounded(step))).catch(() => undefined)});
  }

  // Not already under way for this service and infra.
  wants(service: Service, infraId: string): boolean {
    const current = this.pending.get(service.id);
    return !(current && current.service === service && current.infraId === infraId);
  }

  // The container made ahead for exactly this service (same object) in this pod's current infra.
  async take(service: Service, infraId: string): Promise<Ahead | undefined> {
    const creation = this.pending.get(service.id);
    if (!creation) return undefined;
    this.pending.delete(service.id);
    const ahead = await creation.ahead;
    return creation.service === service && creation.infraId === infraId ? ahead : undefined;
  }

  // Teardown removes the project's containers by label; nothing is taken after it,
  // and what still waits for its turn is not created (it would outlive the teardown).
  clear(): void {
    this.pending.clear();
    this.generation++;
    for (const wake of this.queue.splice(0)) wake();
  }

  private async bounded<T>(task: () => Promise<T>): Promise<T> {
    const generation = this.generation;
    if (this.running >= CREATE_CONCURRENCY) await new Promise<void>((resolve) => this.queue.push(resolve));
    if (generation !== this.generation) throw new Error('cleared before its turn');
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.queue.shift()?.();
    }
  }
}
