import {SidecarError} from '../errors/index.js';
import {allServices, podsInStartOrder, type Manifest, type Service} from '../manifest/types.js';
import type {Runtime} from '../runtime/types.js';
import {realClock, type Clock, type Random} from '../time/clock.js';
import {Deferred} from './deferred.js';
import {configKey, podShapeChange} from './pod-shape.js';
import {isIdle, PodSupervisor} from './pod.js';
import {aheadOrder, selectPods} from './start-plan.js';
import type {LifecycleEvent, LogLine, RestartResult, ServiceStatus, StackCompletion, StartOptions, StopOptions, SupervisorApi, SupervisorListener, UnitIdentity} from './types.js';
import type {Unit} from './unit.js';
import type {StackPhase} from './unit-driver.js';

export interface StackOptions {
  manifest: Manifest;
  runtime: Runtime;
  clock?: Clock;
  random?: Random;
}

export interface UpdateResult {
  recreated: string[];
  // Services that did not run and were started (`up app` after `up proxy`).
  started: string[];
  unchanged: string[];
}

// How long leftovers (processes that escaped their group) get between SIGTERM and SIGKILL.
const LEFTOVER_GRACE_MS = 500;

// Owns one stack of pods over an injected Runtime (DESIGN "Several pods in one
// manifest"): shared resources once, pods in `after` order (a pod starts when
// every pod it is after is ready; independent pods in parallel), stop in reverse
// order (a pod stops after every pod that is after it), completion once every
// pod finished. Each pod runs the single-pod lifecycle by itself (pod.ts), so a
// crash in one pod never touches another. The single-pod form is a stack of one.
export class Stack implements SupervisorApi {
  private manifest: Manifest;
  private readonly runtime: Runtime;
  private readonly clock: Clock;
  private readonly random: Random;
  // In start order.
  private readonly pods: PodSupervisor[];
  private readonly listeners = {event: new Set<SupervisorListener['event']>(), log: new Set<SupervisorListener['log']>()};
  private readonly done = new Deferred<StackCompletion>();
  // Rejected once the stack is stopped: start-up ends then at the latest, even when
  // something it awaits never settles (a runtime's start that hangs), so that the
  // supervisor of a stopped stack exits and `down` returns (new user's trial).
  private readonly stoppedWhileStarting = new Deferred<never>();
  private phase: StackPhase = 'idle';
  private stopping?: Promise<void>;
  // Every identity ever started, so leftovers of past runs are reaped on stop.
  private readonly seen: UnitIdentity[] = [];
  // The first non-zero exit code of an app that finished for good (DESIGN: completion).
  private firstFailure?: number;
  // Pods start() or update() set out to start (one may still wait for those it is after).
  private readonly planned = new Set<string>();

  constructor(options: StackOptions) {
    this.manifest = options.manifest;
    this.runtime = options.runtime;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.pods = podsInStartOrder(this.manifest).map(
      (pod) =>
        new PodSupervisor(pod, {
          runtime: this.runtime,
          clock: this.clock,
          random: this.random,
          emit: (event) => this.emit(event),
          announce: (name, to, detail, ownsStack) => this.announce(name, to, detail, ownsStack),
          subscribeLogs: (service, onLine) => this.on('log', (line) => line.service === service && onLine(line.line)),
          started: (identity) => this.seen.push(identity),
          finished: (exitCode) => this.podFinished(exitCode),
        }),
    );
  }

  get completion(): Promise<StackCompletion> {
    return this.done.promise;
  }

  on<K extends keyof SupervisorListener>(name: K, listener: SupervisorListener[K]): () => void {
    const set = this.listeners[name] as Set<SupervisorListener[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  // Every service: pods in start order, each pod's services in start order.
  status(): ServiceStatus[] {
    return this.pods.flatMap((pod) => pod.status());
  }

  identities(): UnitIdentity[] {
    return this.pods.flatMap((pod) => pod.identities());
  }

  // What the selected pods start, told to the runtime ahead: Docker creates the containers
  // (13.2), the process runtime makes the first process (13.1). Called by the detached
  // supervisor before its socket and files, and by start().
  precreate(only?: string[]): void {
    const selection = selectPods(this.manifest, only);
    const starting = this.pods.filter((pod) => selection.has(pod.name)).map((pod) => ({name: pod.name, after: pod.pod.after, units: [...pod.pod.init, ...selection.get(pod.name)!]}));
    this.runtime.precreate?.(aheadOrder(starting), this.manifest);
  }

  // Shared resources once (volumes, the project network, every pod's namespace),
  // then each selected pod once every pod it is after is ready.
  async start(options: StartOptions = {}): Promise<void> {
    if (this.phase !== 'idle') throw new SidecarError('SIDECAR_ALREADY_RUNNING', 'this supervisor was already started');
    const selection = selectPods(this.manifest, options.only);
    this.phase = 'starting';
    this.emitStack('starting');
    try {
      this.precreate(options.only);
      const bringUp = async (): Promise<void> => {
        await this.runtime.prepare(this.manifest, {
          log: (line) => this.onLog(line),
          podLost: (pod, reason) => void this.pods.find((p) => p.name === pod)?.recreate(reason),
          notice: (message) => this.emit({time: this.clock.now(), service: this.manifest.name, type: 'stack', detail: message}),
        });
        await this.startPods(selection);
      };
      await Promise.race([bringUp(), this.stoppedWhileStarting.promise]);
    } catch (error) {
      // A stack whose every started pod ended by itself (the app completed while
      // starting) completes as such; anything else is a failed start.
      if (!this.stopping && !this.everyStartedPodEndsByItself()) {
        this.emitStack('failed', error instanceof Error ? error.message.split('\n')[0] : undefined);
        await this.stop();
      }
      throw error;
    }
    if (this.phase === 'starting') {
      this.phase = 'up';
      this.emitStack('ready');
    }
  }

  // Each pod waits for the pods it is after; pods without an order start together.
  private async startPods(selection: Map<string, Service[]>): Promise<void> {
    const tasks = new Map<string, Promise<void>>();
    for (const pod of this.pods) {
      const services = selection.get(pod.name);
      if (!services || pod.phase !== 'idle') continue;
      const gates = pod.pod.after.flatMap((name) => tasks.get(name) ?? this.readyOf(name));
      this.planned.add(pod.name);
      tasks.set(pod.name, this.startAfter(pod, services, gates));
    }
    await Promise.all(tasks.values());
  }

  private async startAfter(pod: PodSupervisor, services: Service[], gates: Promise<void>[]): Promise<void> {
    await Promise.all(gates);
    if (this.phase !== 'starting' && this.phase !== 'up') throw new SidecarError('SIDECAR_STACK_FAILED', `stopped before pod ${pod.name} started`);
    await pod.start(services);
  }

  // A pod that already runs (started before this `up`) gates only while it is up.
  private readyOf(name: string): Promise<void>[] {
    const pod = this.pod(name);
    if (pod.phase === 'up') return [];
    return [Promise.reject(new SidecarError('SIDECAR_STACK_FAILED', `pod ${name} is not running`, {suggestion: `\`sidecar up ${name}\` starts it`}))];
  }

  // DESIGN 6 per pod, pods in reverse order (a pod after every pod that is after
  // it), then leftovers of the whole stack.
  stop(options: StopOptions = {}): Promise<void> {
    if (options.immediate) void Promise.all(this.pods.map((pod) => pod.kill()));
    const effective = options.immediate ? {...options, timeoutMs: 0} : options;
    this.stopping ??= this.shutdown(effective);
    return this.stopping;
  }

  // `sidecar restart`: stop and start again without touching the others; not counted as a
  // crash. What start-up has not started yet is left to it (pod.ts), and said so.
  async restart(ids: string[]): Promise<RestartResult> {
    if (this.phase !== 'up' && this.phase !== 'starting') throw new SidecarError('SIDECAR_NOT_RUNNING', 'the stack is not running');
    const targets = ids.map((id) => this.unitOrThrow(id));
    const results = await Promise.all(
      this.pods.map((pod) => {
        const units = targets.filter((t) => t.pod === pod).map((t) => t.unit);
        return units.length > 0 ? pod.restart(units) : undefined;
      }),
    );
    return {restarted: results.flatMap((r) => r?.restarted ?? []), notStarted: results.flatMap((r) => r?.notStarted ?? [])};
  }

  // `up [REF...]` on a running stack: recreate only the running services whose
  // configuration changed (Compose's convergence), in start order, each ready
  // before the next, then start the named services (default: all) and what they
  // need that do not run yet (`up proxy`, later `up app`; `up payments`, later
  // `up orders`). What the stack itself holds (the pods, their services,
  // published ports, volumes) cannot change in place. Init jobs already ran and
  // are not rerun; a pod started here for the first time runs its own.
  async update(next: Manifest, only: string[] = []): Promise<UpdateResult> {
    if (this.phase !== 'up') throw new SidecarError('SIDECAR_NOT_RUNNING', 'the stack is not up (starting, stopping or done)', {suggestion: 'wait for it, or `sidecar down` then `sidecar up`'});
    const structural = podShapeChange(this.manifest, next);
    if (structural) {
      throw new SidecarError('SIDECAR_ALREADY_RUNNING', `the edited manifest ${structural}, which the running pod cannot take in place`, {suggestion: 'run `sidecar down`, then `sidecar up`'});
    }
    const changed = allServices(next).filter((service) => service.role !== 'init' && configKey(service) !== configKey(this.unitOrThrow(service.id).unit.service));
    // Images first, while nothing has changed yet: a failing build leaves the stack as it ran.
    for (const service of changed) if (!isIdle(this.unitOrThrow(service.id).unit)) await this.runtime.prebuild?.(service);
    this.manifest = next;
    for (const pod of this.pods) pod.pod = next.pods.find((p) => p.name === pod.name)!;
    for (const service of changed) this.unitOrThrow(service.id).unit.service = service;
    const recreated = changed.filter((service) => !isIdle(this.unitOrThrow(service.id).unit));
    for (const service of recreated) {
      const {pod, unit} = this.unitOrThrow(service.id);
      await pod.recreateUnit(unit, service);
    }
    const started = await this.startIdle(only);
    const ids = new Set([...recreated.map((s) => s.id), ...started]);
    return {recreated: recreated.map((s) => s.id), started, unchanged: this.status().map((s) => s.name).filter((id) => !ids.has(id))};
  }

  // The selected services that do not run: in pods that run, gated on what runs
  // already; pods not started yet start whole (init jobs first) after their `after`.
  private async startIdle(only: string[]): Promise<string[]> {
    const selection = selectPods(this.manifest, only);
    const started: string[] = [];
    const fresh = new Map<string, Service[]>();
    for (const pod of this.pods) {
      const services = selection.get(pod.name);
      if (!services) continue;
      // A pod not started yet, or finished by itself (its app completed), starts whole.
      if (pod.phase === 'idle' || pod.reopen()) {
        fresh.set(pod.name, services);
        continue;
      }
      if (pod.phase !== 'up') throw new SidecarError('SIDECAR_NOT_RUNNING', `pod ${pod.name} is stopping; it cannot start again in this stack`, {suggestion: 'run `sidecar down`, then `sidecar up`'});
      // Only init jobs named: they ran when the pod started.
      if (services.length > 0) started.push(...(await pod.startIdle(services.map((service) => service.name))));
    }
    if (fresh.size === 0) return started;
    try {
      await this.startPods(fresh);
    } catch (error) {
      // As for services (pod.startIdle): what started here stops again, the rest is left as it was.
      const begun = this.pods.filter((pod) => fresh.has(pod.name)).reverse();
      for (const pod of begun) await pod.stop();
      throw error;
    }
    for (const pod of this.pods) started.push(...(fresh.get(pod.name) ?? []).map((service) => service.id));
    return started;
  }

  private async shutdown(options: StopOptions): Promise<void> {
    const started = this.pods.filter((pod) => pod.phase !== 'idle');
    // Every pod already ending by itself: the stack completes as they do, with their code.
    const completing = started.length > 0 && started.every((pod) => pod.endingByItself);
    this.phase = 'stopping';
    if (!completing) this.emitStack('stopping');
    // A pod stops once every pod after it is gone (its exits may still be being reported).
    const gone = new Map<string, Promise<void>>();
    const stops: Promise<void>[] = [];
    for (const pod of [...this.pods].reverse()) {
      const later = this.pods.filter((p) => p.pod.after.includes(pod.name)).map((p) => gone.get(p.name)!);
      const stop = Promise.all(later).then(() => pod.stop(options.timeoutMs));
      stops.push(stop);
      gone.set(pod.name, Promise.race([stop, pod.gone]));
    }
    const stopped = Promise.all(stops);
    // A failed stop is thrown here, as soon as it fails.
    await Promise.race([stopped, Promise.all(gone.values())]);
    await this.finish(options.timeoutMs === 0 ? 0 : LEFTOVER_GRACE_MS, completing ? this.completed() : {exitCode: 0, reason: 'stopped'}, stopped);
  }

  // DESIGN "Completion": a pod whose app finished for good stopped its own
  // sidecars; once every started pod has, the stack is done.
  private podFinished(exitCode: number): void {
    if (exitCode !== 0) this.firstFailure ??= exitCode;
    if (this.stopping || this.phase === 'idle') return;
    if (!this.pods.every((p) => p.phase === 'done' || (p.phase === 'idle' && !this.planned.has(p.name)))) return;
    this.phase = 'stopping';
    this.stopping = this.finish(LEFTOVER_GRACE_MS, this.completed());
  }

  private completed(): StackCompletion {
    return {exitCode: this.firstFailure ?? 0, reason: 'completed'};
  }

  // Leftovers: anything of the stack still alive (children that left their group). Their
  // grace is short so that stop stays within the sum of the stopTimeouts + 1s (DESIGN 6).
  // Looked for once every unit is gone, while the runtime reports their exits (issue 13.2).
  // A pod that never started (`up POD` started others) ends nothing: it is not waited for.
  private async finish(graceMs: number, result: StackCompletion, stopped: Promise<unknown> = Promise.resolve()): Promise<void> {
    const ending = this.pods.filter((pod) => pod.phase !== 'idle');
    await Promise.all(ending.map((pod) => pod.gone));
    const reaped = this.runtime.reap(this.manifest, this.seen, {graceMs}).catch(() => []);
    await stopped;
    await Promise.all(ending.map((pod) => pod.end));
    await reaped;
    this.phase = 'done';
    this.emitStack('stopped');
    this.done.resolve(result);
    this.stoppedWhileStarting.reject(new SidecarError('SIDECAR_STACK_FAILED', 'the stack was stopped before it was ready'));
  }

  private everyStartedPodEndsByItself(): boolean {
    const started = this.pods.filter((pod) => pod.phase !== 'idle');
    return started.length > 0 && started.every((pod) => pod.endingByItself);
  }

  private onLog(line: LogLine): void {
    for (const pod of this.pods) if (pod.onLog(line)) break;
    for (const listener of this.listeners.log) listener(line);
  }

  private emit(event: LifecycleEvent): void {
    for (const listener of this.listeners.event) listener(event);
  }

  private emitStack(to: string, detail?: string): void {
    this.emit({time: this.clock.now(), service: this.manifest.name, type: 'stack', to, ...(detail ? {detail} : {})});
  }

  // A pod's own lifecycle. With several pods each is a `pod` event of that pod.
  // A single-pod stack reads as before pods existed: what its pod does by itself
  // (completion, recreation) is the stack's event, the rest the stack says already.
  private announce(pod: string, to: string, detail: string | undefined, ownsStack: boolean): void {
    if (this.manifest.form === 'pods') this.emit({time: this.clock.now(), service: pod, type: 'pod', to, ...(detail ? {detail} : {})});
    else if (ownsStack) this.emitStack(to, detail);
  }

  private pod(name: string): PodSupervisor {
    return this.pods.find((pod) => pod.name === name)!;
  }

  private unitOrThrow(id: string): {pod: PodSupervisor; unit: Unit} {
    for (const pod of this.pods) {
      const unit = pod.unitById(id);
      if (unit) return {pod, unit};
    }
    throw new SidecarError('SIDECAR_UNKNOWN_SERVICE', `no service named "${id}"`, {suggestion: `known services: ${this.status().map((s) => s.name).join(', ')}`});
  }
}
