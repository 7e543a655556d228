import type Docker from 'dockerode';
import type {Service} from '../../manifest/types.js';

// A container made ahead, its output already attached (attaching waits for output, so it may come first).
export interface Ahead {
  container: Docker.Container;
  logsEnded: Promise<void>;
}

interface Creation {
  service: Service;
  infraId: string;
  ahead: Promise<Ahead | undefined>;
}

// Issue 13.2: creating a container does not depend on the start order, only
// starting it does (a Kubernetes pod's containers are all created from one
// spec; Compose creates before it starts too). So every container of a pod is
// created (and its output attached) at once when the pod starts, and start()
// then only starts them, in lifecycle order. A creation that failed, or one made for a service
// or pod that has changed since, is not used: start() creates afresh as ever
// (and says why it fails); what is never started goes with the project's teardown.
export class PrecreatedContainers {
  private readonly pending = new Map<string, Creation>();

  add(service: Service, infraId: string, create: () => Promise<Ahead>): void {
    this.pending.set(service.id, {service, infraId, ahead: create().catch(() => undefined)});
  }

  // The container made ahead for exactly this service (same object) in this pod's current infra.
  async take(service: Service, infraId: string): Promise<Ahead | undefined> {
    const creation = this.pending.get(service.id);
    if (!creation) return undefined;
    this.pending.delete(service.id);
    const ahead = await creation.ahead;
    return creation.service === service && creation.infraId === infraId ? ahead : undefined;
  }

  // Teardown removes the project's containers by label; nothing is taken after it.
  clear(): void {
    this.pending.clear();
  }
}
