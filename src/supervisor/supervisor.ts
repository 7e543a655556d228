import type {Manifest} from '../manifest/types.js';
import type {Runtime} from '../runtime/types.js';
import type {Clock, Random} from './clock.js';
import type {LifecycleEvent, ServiceStatus, StackCompletion, StartOptions, StopOptions, SupervisorApi, SupervisorListener, UnitIdentity} from './types.js';

export interface SupervisorOptions {
  manifest: Manifest;
  runtime: Runtime;
  clock?: Clock;
  random?: Random;
}

// Skeleton of the public API (implementation lands next); commands build on this shape.
export class Supervisor implements SupervisorApi {
  readonly completion: Promise<StackCompletion>;

  constructor(readonly options: SupervisorOptions) {
    this.completion = new Promise<StackCompletion>(() => {});
  }

  async start(_options: StartOptions = {}): Promise<void> {
    throw new Error('not implemented yet');
  }

  async stop(_options: StopOptions = {}): Promise<void> {
    throw new Error('not implemented yet');
  }

  async restart(_names: string[]): Promise<void> {
    throw new Error('not implemented yet');
  }

  status(): ServiceStatus[] {
    return [];
  }

  identities(): UnitIdentity[] {
    return [];
  }

  on<K extends keyof SupervisorListener>(_name: K, _listener: SupervisorListener[K]): () => void {
    return () => {};
  }
}

export type {LifecycleEvent};
