import type {WatchAction} from '../manifest/types.js';
import type {Clock, TimerHandle} from '../time/clock.js';

// DESIGN "Watch: the inner loop": changes are batched until QUIET_MS pass
// without one (a `git checkout` of hundreds of files is one batch, as
// nodemon's and Compose's debounce make it), one action per service per batch.
export const QUIET_MS = 100;

export type FileEvent = 'add' | 'change' | 'unlink';

export interface WatchJob {
  service: string;
  action: WatchAction;
  // Files (absolute) that changed or were deleted, sorted.
  changed: string[];
  deleted: string[];
}

interface Pending {
  actions: Set<WatchAction>;
  // First and last event of each file in this batch: a file added then removed
  // within one batch is an editor's temporary file (write-temp-then-rename), not a change.
  files: Map<string, {first: FileEvent; last: FileEvent}>;
}

// The one action a batch asks of a service: a rebuild covers everything, a
// sync and a restart together are sync+restart.
export function mergeActions(actions: Iterable<WatchAction>): WatchAction | undefined {
  const set = new Set(actions);
  if (set.has('rebuild')) return 'rebuild';
  const sync = set.has('sync') || set.has('sync+restart');
  const restart = set.has('restart') || set.has('sync+restart');
  if (sync && restart) return 'sync+restart';
  if (restart) return 'restart';
  return sync ? 'sync' : undefined;
}

export interface BatcherOptions {
  clock: Clock;
  run: (job: WatchJob) => Promise<void>;
  onError?: (job: WatchJob, error: unknown) => void;
  quietMs?: number;
}

// Pure scheduling: never two actions at once for one service; a change that
// arrives while its service's action runs queues exactly one more after it
// (merged with any other change that comes meanwhile).
export class WatchBatcher {
  private pending = new Map<string, Pending>();
  private queued = new Map<string, Pending>();
  private running = new Set<string>();
  private timer: TimerHandle | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly quietMs: number;

  constructor(private readonly options: BatcherOptions) {
    this.quietMs = options.quietMs ?? QUIET_MS;
  }

  change(service: string, action: WatchAction, file: string, event: FileEvent): void {
    if (this.stopped) return;
    const batch = this.pending.get(service) ?? {actions: new Set(), files: new Map()};
    this.pending.set(service, batch);
    batch.actions.add(action);
    const seen = batch.files.get(file);
    batch.files.set(file, {first: seen?.first ?? event, last: event});
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = this.options.clock.setTimeout(() => this.flush(), this.quietMs);
  }

  // True while nothing is pending, queued or running.
  idle(): boolean {
    return this.pending.size === 0 && this.queued.size === 0 && this.running.size === 0;
  }

  // Resolves once every action started or queued so far has finished.
  whenIdle(): Promise<void> {
    if (this.running.size === 0 && this.queued.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // Drops what is pending and queued; actions already running finish.
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.queued.clear();
    return this.whenIdle();
  }

  private flush(): void {
    this.timer = undefined;
    for (const [service, batch] of this.pending) {
      const queued = this.queued.get(service);
      if (!queued) this.queued.set(service, batch);
      else {
        for (const action of batch.actions) queued.actions.add(action);
        for (const [file, events] of batch.files) {
          const before = queued.files.get(file);
          queued.files.set(file, {first: before?.first ?? events.first, last: events.last});
        }
      }
    }
    this.pending.clear();
    for (const service of [...this.queued.keys()]) this.startIfFree(service);
    this.settle();
  }

  private startIfFree(service: string): void {
    if (this.running.has(service) || this.stopped) return;
    const batch = this.queued.get(service);
    if (!batch) return;
    this.queued.delete(service);
    const job = jobOf(service, batch);
    if (!job) return;
    this.running.add(service);
    void this.options
      .run(job)
      .catch((error: unknown) => this.options.onError?.(job, error))
      .finally(() => {
        this.running.delete(service);
        this.startIfFree(service);
        this.settle();
      });
  }

  private settle(): void {
    if (this.running.size > 0 || this.queued.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function jobOf(service: string, batch: Pending): WatchJob | undefined {
  const changed: string[] = [];
  const deleted: string[] = [];
  for (const [file, {first, last}] of batch.files) {
    if (first === 'add' && last === 'unlink') continue;
    (last === 'unlink' ? deleted : changed).push(file);
  }
  const action = mergeActions(batch.actions);
  if (!action || changed.length + deleted.length === 0) return undefined;
  return {service, action, changed: changed.sort(), deleted: deleted.sort()};
}
