import {allServices, type Manifest} from '../manifest/types.js';
import type {Runtime} from '../runtime/types.js';
import {LogStore} from '../logs/log-store.js';
import {supervisorNote} from '../logs/supervisor-note.js';
import {ControlServer} from './control/control-server.js';
import type {StackPhase} from './control/protocol.js';
import {removeFile, writeJsonAtomic, type FailureRecord, type StateRecord, type SupervisorRecord} from './state-file.js';
import {Stack, type UpdateResult} from '../supervisor/stack.js';
import type {LifecycleEvent, LogLine, ServiceStatus} from '../supervisor/types.js';
import {handleControl} from './control-handlers.js';
import {currentBootId} from '../runtime/process/proc-table.js';
import {assertStateTree, ensureRealDir} from '../runtime/safe-state-dir.js';
import {processStartTime} from '../runtime/process/process-start-time.js';
import type {ProjectFiles} from './project-files.js';
import {removeSocket, socketPathToBind} from './socket-path.js';
import {startFailure} from './start-failure.js';
import {withDeadline} from './with-deadline.js';
import {StateWriter} from './state-writer.js';
import type {StackWatcher} from '../watch/stack-watcher.js';
import {stackWatcherOf} from './stack-watcher-of.js';

export interface StackHostOptions {
  manifest: Manifest;
  runtime: Runtime;
  files: ProjectFiles;
  detached: boolean;
  // Start only these services or pods (and what they need, the pods they are after).
  only?: string[];
  // Overall readiness deadline (`up --timeout`).
  timeoutMs?: number;
  // `run`: the stack goes down when CMD ends, so no other command may adopt it.
  transient?: boolean;
  // `up --watch`: once ready, follow the manifest's watch rules until shutdown.
  watch?: boolean;
}

export interface ShutdownOptions {
  timeoutMs?: number;
  volumes?: boolean;
  immediate?: boolean;
  // Said when the stop interrupts start-up: "stopped by <requestedBy> before it was ready".
  requestedBy?: string;
}

// Owns one running stack, in the CLI process (foreground `up`, `run`) or in the
// detached supervisor: the Stack of pods, the log files, the state files that make
// a crash recoverable, and the control socket every other command talks to.
export class StackHost {
  readonly supervisor: Stack;
  readonly logs: LogStore;
  phase: StackPhase = 'starting';
  failure?: FailureRecord;
  // Set once a stop with `volumes` has removed them: their names, for `down` to say.
  volumesRemoved?: string[];
  // Settles once start-up is over: resolves when ready, rejects with the failure.
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (failure: FailureRecord) => void;
  private server?: ControlServer;
  // Where the control socket is bound (recorded in supervisor.json), set by open().
  socketPath?: string;
  private readonly logListeners = new Set<(line: LogLine) => void>();
  private readonly eventListeners = new Set<(event: LifecycleEvent) => void>();
  private readonly doneListeners = new Set<() => void>();
  private shutdownPromise?: Promise<void>;
  // Who asked for the stop, once one was asked for: `sidecar down`, SIGINT, SIGTERM...
  stopRequestedBy?: string;
  private readonly state: StateWriter;
  private watcher?: StackWatcher;
  // Created before the stack starts (initial sync), watching once it is up.
  private pendingWatcher?: StackWatcher;
  private resolveFinished!: () => void;
  // Resolves once shutdown is complete: socket closed, supervisor record removed.
  readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));

  constructor(readonly options: StackHostOptions) {
    this.supervisor = new Stack({manifest: options.manifest, runtime: options.runtime});
    this.state = new StateWriter(options.files.state, () => this.snapshot());
    this.logs = new LogStore(options.files.logs, undefined, {
      lossBegan: (service, reason) => this.reportLogLoss(service, `writing its log failed: ${reason}; dropping its lines until writing works again`),
      lossEnded: (loss) => this.reportLogLoss(loss.service, `writing its log again; ${loss.lines} lines (${loss.bytes} bytes) were dropped (${loss.reason})`),
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody may be told of a failure yet; keep Node from calling it unhandled.
    this.ready.catch(() => undefined);
  }

  get manifest(): Manifest {
    return this.options.manifest;
  }

  // `up` on a running stack: recreate the changed services, start the idle ones, then serve the new manifest.
  // A stack under watch (or `up --watch` now) follows the new manifest's watch rules
  // from then on, as `docker compose up` reads the project again; none left: no watching.
  async update(next: Manifest, only: string[] = [], watch = false): Promise<UpdateResult> {
    const following = watch || this.watcher !== undefined;
    const old = this.watcher;
    const fresh = following && allServices(next).some((s) => s.watch.length > 0) ? await this.createWatcher(next, old) : undefined;
    // What `update` recreates gets the initial sync of the rules it will be watched by.
    if (following) this.options.runtime.setInitialSync?.(fresh ? (unit) => fresh.initialSync(unit.id) : undefined);
    let result: UpdateResult;
    try {
      result = await this.supervisor.update(next, only);
    } catch (error) {
      if (following) this.options.runtime.setInitialSync?.(old ? (unit) => old.initialSync(unit.id) : undefined);
      throw error;
    }
    this.options.manifest = next;
    if (following) {
      this.watcher = undefined;
      await old?.close();
      if (fresh && this.stopRequestedBy === undefined) {
        this.watcher = fresh;
        await fresh.start();
      }
    }
    return result;
  }

  // What starts first, told to the runtime before open() (Stack.precreate).
  precreate(): void {
    this.supervisor.precreate(this.options.only);
  }

  // Files and socket first, so `ps`/`logs`/`down` work while the stack starts.
  async open(): Promise<void> {
    // No write through a symlink in .sidecar (issue 9.7): checked before the first one.
    assertStateTree(this.options.files.dir);
    ensureRealDir(this.options.files.dir, ['.sidecar', 'logs']);
    // A request left by an interrupted `down` names an older supervisor (down-request.ts):
    // bin/down.sh writes one only where none is.
    removeFile(this.options.files.downRequest);
    this.supervisor.on('log', (line) => {
      this.logs.write(line);
      for (const listener of this.logListeners) listener(line);
    });
    this.supervisor.on('event', (event) => {
      if (event.type !== 'probe-failed') this.state.soon();
      for (const listener of this.eventListeners) listener(event);
    });
    this.socketPath = socketPathToBind(this.options.files);
    this.server = new ControlServer(this.socketPath, (request, channel) => handleControl(this, request, channel));
    await this.server.listen();
    const record: SupervisorRecord = {
      pid: process.pid,
      startTime: processStartTime(process.pid),
      ...(currentBootId() ? {bootId: currentBootId()} : {}),
      socket: this.socketPath,
      project: this.manifest.name,
      runtime: this.options.runtime.kind,
      manifestFile: this.manifest.file,
      startedAt: Date.now(),
      detached: this.options.detached,
      ...(this.options.transient ? {transient: true} : {}),
    };
    writeJsonAtomic(this.options.files.supervisor, record);
    this.state.now();
  }

  // Starts the stack; on failure (or `--timeout`) records why and stops what started.
  async start(): Promise<void> {
    // The rules are read before anything starts: the first containers get their initial sync too.
    if (this.options.watch) {
      const watcher = await this.createWatcher(this.manifest);
      this.options.runtime.setInitialSync?.((unit) => watcher.initialSync(unit.id));
      this.pendingWatcher = watcher;
    }
    const started = this.supervisor.start(this.options.only ? {only: this.options.only} : {});
    try {
      await withDeadline(started, this.options.timeoutMs);
      // Watching before `ready` is said: `up --wait --watch` returns (and state.json
      // reads ready) only once a save is sure to be seen.
      if (this.options.watch && this.stopRequestedBy === undefined) await this.startWatching();
      this.phase = 'ready';
      this.state.now();
      this.resolveReady();
    } catch (error) {
      started.catch(() => undefined);
      // A stop asked for while starting ends start-up; it is not a service failure
      // (whatever a unit reported while being torn down, e.g. a pod already gone).
      if (this.stopRequestedBy !== undefined) {
        this.failure = {service: null, message: `stopped by ${this.stopRequestedBy} before it was ready`, lastLines: [], stopped: true};
        this.state.now();
        this.rejectReady(this.failure);
        return;
      }
      this.failure = startFailure(this.supervisor.status(), error, (service) => this.logs.recentLines(service));
      this.phase = 'failed';
      this.state.now();
      this.rejectReady(this.failure);
    }
  }

  // Stop in lifecycle order, remove what `up` created, close the socket and the
  // supervisor record; state.json stays with the final statuses for `ps`.
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.stopRequestedBy ??= options.requestedBy ?? 'a stop request';
    if (options.immediate) void this.supervisor.stop({immediate: true}).catch(() => undefined);
    this.shutdownPromise ??= this.doShutdown(options);
    return this.shutdownPromise;
  }

  status(): ServiceStatus[] {
    const watching = this.watcher ? this.watcher.rulesById() : undefined;
    return this.supervisor.status().map((s) => {
      const dropped = this.logs.dropped(s.name);
      const rules = watching?.get(s.name);
      return {...s, ...(dropped > 0 ? {logsDropped: dropped} : {}), ...(rules ? {watch: rules} : {})};
    });
  }

  // Issue 9 point 6: a log that cannot be written is said once in supervisor.log and as an event.
  private reportLogLoss(service: string, detail: string): void {
    supervisorNote(`${service}: ${detail}`);
    const event: LifecycleEvent = {time: Date.now(), service, type: 'logs-dropped', detail};
    for (const listener of this.eventListeners) listener(event);
  }

  onLog(listener: (line: LogLine) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  onEvent(listener: (event: LifecycleEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  // Streams end when the stack is done.
  onDone(listener: () => void): () => void {
    this.doneListeners.add(listener);
    return () => this.doneListeners.delete(listener);
  }

  private createWatcher(manifest: Manifest, before?: StackWatcher): Promise<StackWatcher> {
    return stackWatcherOf(
      manifest,
      {
        runtime: this.options.runtime,
        current: () => this.manifest,
        restart: async (id) => void (await this.supervisor.restart([id])),
        emit: (event) => {
          for (const listener of this.eventListeners) listener(event);
        },
        detached: this.options.detached,
      },
      before,
    );
  }

  private async startWatching(): Promise<void> {
    const watcher = this.pendingWatcher;
    if (!watcher || this.stopRequestedBy !== undefined) return;
    this.watcher = watcher;
    await watcher.start();
  }

  private async doShutdown(options: ShutdownOptions): Promise<void> {
    this.phase = 'stopping';
    try {
      const watcher = this.watcher;
      this.watcher = undefined;
      await watcher?.close();
      await this.supervisor.stop({
        ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {}),
        ...(options.immediate ? {immediate: true} : {}),
      });
      await this.options.runtime.teardown(this.manifest, {removeVolumes: options.volumes ?? false});
      // What `down --volumes` says it removed (the named volumes; an emptyDir goes with every stop).
      if (options.volumes) this.volumesRemoved = Object.values(this.manifest.volumes).filter((v) => !v.external && v.ephemeral !== true).map((v) => v.name);
    } finally {
      this.phase = 'done';
      this.state.now();
      this.state.close();
      this.logs.close();
      for (const listener of this.doneListeners) listener();
      await this.server?.close();
      if (this.socketPath) removeSocket(this.socketPath, this.options.files);
      removeFile(this.options.files.supervisor);
      this.resolveFinished();
    }
  }

  // What state.json holds now (written by `state`, state-writer.ts).
  private snapshot(): StateRecord {
    return {
      project: this.manifest.name,
      runtime: this.options.runtime.kind,
      manifestFile: this.manifest.file,
      updatedAt: Date.now(),
      phase: this.phase,
      services: this.supervisor.status(),
      identities: this.supervisor.identities(),
      ...(this.options.runtime.runId ? {runId: this.options.runtime.runId} : {}),
      ...(this.failure ? {failure: this.failure} : {}),
    };
  }
}
