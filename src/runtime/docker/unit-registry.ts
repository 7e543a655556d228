import type Docker from 'dockerode';
import type {Service} from '../../manifest/types.js';
import type {ExitInfo, RunningUnit} from '../types.js';
import {isSameProcess} from '../process/process-start-time.js';
import {hostProcessOf, whenGone, type HostProcess} from './host-process.js';

// Output may trail the die event by a few ms; wait for it, but never long.
const LOG_DRAIN_MS = 500;
const PIN_WAIT_MS = 500;
const DIED_EARLY_KEPT = 256;

interface Record {
  unit: RunningUnit;
  resolve: (info: ExitInfo) => void;
  isGone: () => void;
  // Its first process on this host, once started (host-process.ts).
  process?: HostProcess;
  pinning?: Promise<void>;
  logsEnded: Promise<void>;
  oomKilled: boolean;
  settled: boolean;
}

// The units this runtime started and has not seen exit, keyed by container id.
// Exits come from the event stream (die), or from inspect after a reconnect.
export class UnitRegistry {
  private readonly live = new Map<string, Record>();
  private readonly diedEarly = new Map<string, {exitCode: number | null; oomKilled: boolean}>();

  add(service: Service, containerId: string): {unit: RunningUnit; attachLogs: (ended: Promise<void>) => void} {
    let resolve!: (info: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((r) => (resolve = r));
    let isGone!: () => void;
    const gone = new Promise<void>((r) => (isGone = r));
    const record: Record = {unit: {service, identity: {kind: 'docker', containerId}, exited, gone}, resolve, isGone, logsEnded: Promise.resolve(), oomKilled: false, settled: false};
    this.live.set(containerId, record);
    const early = this.diedEarly.get(containerId);
    if (early) {
      this.diedEarly.delete(containerId);
      this.settle(containerId, early.exitCode, early.oomKilled);
    }
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

  // Told after the start (an inspect off the start's path): the container's first
  // process, when this host can see it (host-process.ts).
  pin(containerId: string, inspected: Promise<Docker.ContainerInspectInfo>): void {
    const record = this.live.get(containerId);
    if (!record) return;
    record.pinning = inspected.then(
      (info) => {
        const process = record.settled ? undefined : hostProcessOf(info);
        if (process) record.process = process;
      },
      () => undefined,
    );
  }

  // The pinned process, once the pinning inspect answered (a stop right after the
  // start), within PIN_WAIT_MS: an engine slow to answer gets the signal itself.
  async pinned(containerId: string): Promise<HostProcess | undefined> {
    const record = this.live.get(containerId);
    if (!record?.pinning) return undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([record.pinning, new Promise<void>((resolve) => (timer = setTimeout(resolve, PIN_WAIT_MS)))]);
    clearTimeout(timer);
    return record.process;
  }

  // Its pinned process is gone, though the engine may not have reported the exit yet.
  processGone(containerId: string): boolean {
    const process = this.live.get(containerId)?.process;
    return process !== undefined && !isSameProcess(process.pid, process.startTime);
  }

  // From the stop signal on: `gone` once the pinned process is (or at the exit report).
  watchGone(containerId: string): void {
    const record = this.live.get(containerId);
    if (record?.process) void whenGone(record.process, record.unit.exited).then(record.isGone);
  }

  // An exit seen before its container was registered: one started ahead, held by
  // its start gate, killed before its turn (a trial: without this, only the
  // 1 s check of the gate saw it, and the restart came 1.4 s late). Kept for the
  // add() that may come; the oldest go first.
  private remember(containerId: string, exitCode: number | null, oomKilled: boolean): void {
    this.diedEarly.set(containerId, {exitCode, oomKilled});
    if (this.diedEarly.size > DIED_EARLY_KEPT) this.diedEarly.delete(this.diedEarly.keys().next().value!);
  }

  forget(containerId: string): void {
    this.live.delete(containerId);
  }

  settle(containerId: string, exitCode: number | null, oomKilled = false): void {
    const record = this.live.get(containerId);
    if (!record) return this.remember(containerId, exitCode, oomKilled);
    if (record.settled) return;
    record.settled = true;
    record.isGone();
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
