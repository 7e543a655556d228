import type Docker from 'dockerode';
import type {Manifest} from '../../manifest/types.js';
import type {RuntimeEvents} from '../types.js';
import {podWords} from './engine-errors.js';
import type {ContainerEvent} from './event-stream.js';
import type {PodInfra} from './pod-infra.js';
import type {UnitRegistry} from './unit-registry.js';

interface Context {
  manifest: Manifest | undefined;
  events: RuntimeEvents | undefined;
  client: Docker | undefined;
}

// What the engine's event stream means for the runtime's pods and units: a
// unit's exit (with its memory kill), a pod whose infra died (the kubelet
// recreates such a sandbox: podLost), health events passed on.
export class PodEvents {
  constructor(
    private readonly pods: Map<string, PodInfra>,
    private readonly units: UnitRegistry,
    private readonly context: () => Context,
  ) {}

  onEvent(event: ContainerEvent): void {
    const {events} = this.context();
    const lostPod = event.action === 'die' ? this.podOfInfra(event.id) : undefined;
    if (lostPod !== undefined) this.lost(lostPod, `${this.words(lostPod)} infra container ${event.id.slice(0, 12)} exited (code ${event.exitCode ?? 'unknown'})`);
    else if (event.action === 'die') void this.settleDied(event.id, event.exitCode ?? null);
    else if (event.action === 'oom') {
      this.units.markOom(event.id);
      events?.engineEvent?.({service: event.service, type: 'oom'});
    } else if (event.action === 'health_status') events?.engineEvent?.({service: event.service, type: 'health_status', detail: event.detail});
  }

  // After the event stream came back: a pod may have died unseen.
  async onReconnect(docker: Docker): Promise<void> {
    await this.units.reconcile(docker);
    await Promise.all(
      [...this.pods].map(async ([pod, {id}]) => {
        const info = await docker.getContainer(id).inspect().catch(() => undefined);
        if (this.pods.get(pod)?.id === id && !info?.State.Running) this.lost(pod, `${this.words(pod)} infra container ${id.slice(0, 12)} is gone`);
      }),
    );
  }

  private podOfInfra(id: string): string | undefined {
    for (const [pod, infra] of this.pods) if (infra.id === id) return pod;
    return undefined;
  }

  // A 137 may be a memory kill whose oom event trails the die (or was missed while
  // the stream reconnected): the engine's State.OOMKilled says it either way.
  private async settleDied(id: string, exitCode: number | null): Promise<void> {
    const {client} = this.context();
    const oom = exitCode === 137 && this.units.has(id) && client ? await client.getContainer(id).inspect().then((info) => info.State.OOMKilled, () => false) : false;
    this.units.settle(id, exitCode, oom);
  }

  private words(pod: string): string {
    const {manifest} = this.context();
    return manifest ? podWords(manifest, pod) : "the pod's";
  }

  // Said once per pod: the next preparePod() creates a new one.
  private lost(pod: string, reason: string): void {
    if (!this.pods.delete(pod)) return;
    this.context().events?.podLost?.(pod, reason);
  }
}
