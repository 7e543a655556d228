import type Docker from 'dockerode';
import type {Service} from '../../manifest/types.js';
import type {ExitInfo, RunningUnit} from '../types.js';

// Output may trail the die event by a few ms; wait for it, but never long.
const LOG_DRAIN_MS = 500;

interface Record {
  unit: RunningUnit;
  resolve: (info: ExitInfo) => void;
  logsEnded: Promise<void>;
  oomKilled: boolean;
  settled: boolean;
}

// The units this runtime started and has not seen exit, keyed by container id.
// Exits come from the event stream (die), or from inspect after a reconnect.
export class UnitRegistry {
  private readonly live = new Map<string, Record>();

  add(service: Service, containerId: string): {unit: RunningUnit; attachLogs: (ended: Promise<void>) => void} {
    let resolve!: (info: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((r) => (resolve = r));
    const record: Record = {unit: {service, identity: {kind: 'docker', containerId}, exited}, resolve, logsEnded: Promise.resolve(), oomKilled: false, settled: false};
    this.live.set(containerId, record);
    return {unit: record.unit, attachLogs: (ended) => (record.logsEnded = ended)};
  }

  has(containerId: string): boolean {
    return this.live.has(containerId);
  }

  ids(): string[] {
    return [...this.live.keys()];
  }

  markOom(containerId: string): void {
    const record = this.live.get(containerId);
    if (record) record.oomKilled = true;
  }

  forget(containerId: string): void {
    this.live.delete(containerId);
  }

  settle(containerId: string, exitCode: number | null, oomKilled = false): void {
    const record = this.live.get(containerId);
    if (!record || record.settled) return;
    record.settled = true;
    this.live.delete(containerId);
    let timer: NodeJS.Timeout | undefined;
    const drained = Promise.race([record.logsEnded, new Promise<void>((r) => (timer = setTimeout(r, LOG_DRAIN_MS)))]);
    void drained.then(() => {
      clearTimeout(timer);
      record.resolve({service: record.unit.service.id, exitCode, signal: null, oomKilled: oomKilled || record.oomKilled});
    });
  }

  // After the event stream was lost: whatever stopped meanwhile is settled from inspect.
  async reconcile(docker: Docker): Promise<void> {
    await Promise.all(
      this.ids().map(async (id) => {
        try {
          const info = await docker.getContainer(id).inspect();
          if (!info.State.Running) this.settle(id, info.State.ExitCode, info.State.OOMKilled);
        } catch (error) {
          if ((error as {statusCode?: number}).statusCode === 404) this.settle(id, null);
        }
      }),
    );
  }
}
