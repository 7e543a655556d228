import {SidecarError} from '../errors/index.js';
import {allServices, onlyPod, type Manifest, type Pod, type Service} from '../manifest/types.js';
import type {Runtime} from '../runtime/types.js';
import {realClock, type Clock, type Random} from '../time/clock.js';
import {Deferred} from './deferred.js';
import {stackFailed} from './stack-failed.js';
import {configKey, podShapeChange} from './pod-shape.js';
import {gatesOf, selectServices} from './start-plan.js';
import type {LifecycleEvent, LogLine, ServiceStatus, StackCompletion, StartOptions, StopOptions, SupervisorApi, SupervisorListener, UnitIdentity} from './types.js';
import {Unit} from './unit.js';
import {UnitDriver, type StackPhase} from './unit-driver.js';

export interface SupervisorOptions {
  manifest: Manifest;
  runtime: Runtime;
  clock?: Clock;
  random?: Random;
}

// How long leftovers (processes that escaped their group) get between SIGTERM and SIGKILL.
const LEFTOVER_GRACE_MS = 500;


// Owns the co-lifecycle of one stack (DESIGN "Lifecycle semantics" 1-7) over an injected Runtime.
export class Supervisor implements SupervisorApi {
  private manifest: Manifest;
  // The one pod this supervisor runs (the Stack -> Pod split comes with `pods:`).
  private get pod(): Pod {
    return onlyPod(this.manifest);
  }
  private readonly runtime: Runtime;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly units: Unit[];
  private readonly listeners = {event: new Set<SupervisorListener['event']>(), log: new Set<SupervisorListener['log']>()};
  private readonly done = new Deferred<StackCompletion>();
  private phase: StackPhase = 'idle';
  private stopping?: Promise<void>;
  // Every identity ever started, so leftovers of past runs are reaped on stop.
  private readonly seen: UnitIdentity[] = [];
  private readonly driver: UnitDriver;
  // What start() started (`up SERVICE...` starts a subset), for a pod recreation.
  private selected: Service[] = [];
  private recreating = false;

  constructor(options: SupervisorOptions) {
    this.manifest = options.manifest;
    this.runtime = options.runtime;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    const services = [...this.pod.init, ...this.pod.sidecars, this.pod.app];
    this.units = services.map((service) => new Unit(service, this.clock, (event) => this.emit(event)));
    this.driver = new UnitDriver({
      runtime: this.runtime,
      clock: this.clock,
      random: this.random,
      emit: (event) => this.emit(event),
      subscribeLogs: (service, onLine) => this.on('log', (line) => line.service === service && onLine(line.line)),
      phase: () => this.phase,
      started: (identity) => this.seen.push(identity),
      appFinished: (exitCode) => void this.complete(exitCode),
    });
  }

  get completion(): Promise<StackCompletion> {
    return this.done.promise;
  }

  on<K extends keyof SupervisorListener>(name: K, listener: SupervisorListener[K]): () => void {
    const set = this.listeners[name] as Set<SupervisorListener[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  status(): ServiceStatus[] {
    return this.units.map((unit) => unit.status());
  }

  identities(): UnitIdentity[] {
    return this.units.flatMap((unit) => (unit.running ? [unit.running.identity] : []));
  }

  // DESIGN 1: volumes, init jobs in order, sidecars gated on readiness, app last.
  async start(options: StartOptions = {}): Promise<void> {
    if (this.phase !== 'idle') throw new SidecarError('SIDECAR_ALREADY_RUNNING', 'this supervisor was already started');
    const selected = selectServices(this.pod, options.only);
    this.selected = selected;
    this.phase = 'starting';
    this.emitStack('starting');
    try {
      await this.bringUp(selected);
    } catch (error) {
      if (!this.stopping) {
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

  // Shared resources, init jobs in order, sidecars gated on readiness, app last.
  // A recreated pod gets a new network namespace only: volumes and images are there.
  private async bringUp(selected: Service[], recreate = false): Promise<void> {
    if (recreate) await this.runtime.preparePod(this.pod);
    else {
      await this.runtime.prepare(this.manifest, {
        log: (line) => this.onLog(line),
        podLost: (_pod, reason) => void this.recreatePod(reason),
        notice: (message) => this.emit({time: this.clock.now(), service: this.manifest.name, type: 'stack', detail: message}),
      });
    }
    for (const service of this.pod.init) await this.runInit(this.unit(service.name));
    const tasks = new Map<string, Promise<void>>();
    for (const service of selected) {
      const gates = gatesOf(this.pod, service).filter((name) => selected.some((s) => s.name === name));
      tasks.set(service.name, this.launchAfter(this.unit(service.name), gates.map((name) => tasks.get(name)!)));
    }
    await Promise.all(tasks.values());
  }

  // Issue 9.11: the pod's network is gone (docker: infra container removed).
  // Kubernetes: the kubelet kills the pod's containers, creates a new sandbox and
  // starts them again in lifecycle order (init containers rerun, hence must be
  // idempotent). A pod that cannot be recreated stops as a whole.
  private async recreatePod(reason: string): Promise<void> {
    if (this.phase !== 'up' || this.recreating) return;
    this.recreating = true;
    this.phase = 'starting';
    this.emitStack('recreating', `${reason}: stopping every service and recreating the pod`);
    try {
      const order = [this.pod.app, ...[...this.pod.sidecars].reverse(), ...[...this.pod.init].reverse()];
      for (const service of order) await this.driver.stopUnit(this.unit(service.name), service.stopTimeoutMs);
      if (this.phase !== 'starting') return;
      for (const unit of this.units) {
        unit.attempt = 0;
        unit.readiness = new Deferred<void>();
      }
      await this.bringUp(this.selected, true);
      if (this.phase === 'starting') {
        this.phase = 'up';
        this.emitStack('ready', 'pod recreated');
      }
    } catch (error) {
      if (!this.stopping) {
        this.emitStack('failed', `recreating the pod failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        this.stopping = this.shutdown({}, {exitCode: 1, reason: 'completed'});
      }
    } finally {
      this.recreating = false;
    }
  }

  // DESIGN 6: app first, then sidecars in reverse start order, then leftovers.
  stop(options: StopOptions = {}): Promise<void> {
    if (options.immediate) void this.killAll();
    const effective = options.immediate ? {...options, timeoutMs: 0} : options;
    if (!this.stopping) this.stopping = this.shutdown(effective, {exitCode: 0, reason: 'stopped'});
    return this.stopping;
  }

  // `sidecar restart`: stop and start again without touching the others; not counted as a crash.
  async restart(names: string[]): Promise<void> {
    if (this.phase !== 'up' && this.phase !== 'starting') throw new SidecarError('SIDECAR_NOT_RUNNING', 'the stack is not running');
    const units = names.map((name) => this.unitOrThrow(name));
    await Promise.all(
      units.map(async (unit) => {
        const failed = unit.state === 'failed';
        await this.driver.stopUnit(unit, unit.service.stopTimeoutMs);
        unit.attempt = 0;
        if (failed) unit.budgetFrom = unit.restarts;
        unit.readiness = new Deferred<void>();
        await this.driver.spawn(unit);
        await unit.readiness.promise;
      }),
    );
  }

  // `up [SERVICE...]` on a running stack: recreate only the running services
  // whose configuration changed (Compose's convergence), in start order, each
  // ready before the next, then start the named services (default: all) and
  // what they need that do not run yet (`up proxy`, later `up app`). What the
  // pod itself holds (the set of services, published ports, volumes) cannot
  // change in place. Init jobs already ran and are not rerun.
  async update(next: Manifest, only: string[] = []): Promise<UpdateResult> {
    if (this.phase !== 'up') throw new SidecarError('SIDECAR_NOT_RUNNING', 'the stack is not up (starting, stopping or done)', {suggestion: 'wait for it, or `sidecar down` then `sidecar up`'});
    const structural = podShapeChange(this.manifest, next);
    if (structural) {
      throw new SidecarError('SIDECAR_ALREADY_RUNNING', `the change ${structural}, which the running pod cannot take in place`, {suggestion: 'run `sidecar down`, then `sidecar up`'});
    }
    const changed = allServices(next).filter((service) => service.role !== 'init' && configKey(service) !== configKey(this.unitOrThrow(service.name).service));
    this.manifest = next;
    for (const service of changed) this.unitOrThrow(service.name).service = service;
    const recreated = changed.filter((service) => !isIdle(this.unit(service.name)));
    for (const service of recreated) {
      const unit = this.unitOrThrow(service.name);
      await this.driver.stopUnit(unit, unit.service.stopTimeoutMs);
      unit.service = service;
      unit.attempt = 0;
      unit.readiness = new Deferred<void>();
      await this.driver.spawn(unit);
      await unit.readiness.promise;
    }
    const started = await this.startIdle(only);
    const names = new Set([...recreated.map((s) => s.name), ...started]);
    return {recreated: recreated.map((s) => s.name), started, unchanged: this.units.map((u) => u.name).filter((name) => !names.has(name))};
  }

  // The selected services that do not run (never started, exited, failed), gated
  // as at start-up on what runs already; if one cannot get ready, the ones started
  // here are stopped again and the rest of the stack is left as it was.
  private async startIdle(only: string[]): Promise<string[]> {
    const wanted = selectServices(this.pod, only);
    const idle = wanted.filter((service) => isIdle(this.unit(service.name)));
    if (idle.length === 0) return [];
    const selected = new Set([...this.selected, ...wanted].map((s) => s.name));
    this.selected = [...this.pod.sidecars, this.pod.app].filter((s) => selected.has(s.name));
    const tasks = new Map<string, Promise<void>>();
    for (const service of idle) {
      const unit = this.unit(service.name);
      unit.attempt = 0;
      unit.readiness = new Deferred<void>();
      const gates = gatesOf(this.pod, service).map((name) => tasks.get(name) ?? this.unit(name).readiness.promise);
      tasks.set(service.name, this.launchAfter(unit, gates));
    }
    try {
      await Promise.all(tasks.values());
    } catch (error) {
      await Promise.allSettled(tasks.values());
      for (const service of [...idle].reverse()) await this.driver.stopUnit(this.unit(service.name), service.stopTimeoutMs);
      throw error;
    }
    return idle.map((s) => s.name);
  }

  private async launchAfter(unit: Unit, gates: Promise<void>[]): Promise<void> {
    await Promise.all(gates);
    // Started at start-up, or later by `up SERVICE` on a running stack; never while it stops.
    if (this.phase !== 'starting' && this.phase !== 'up') throw new SidecarError('SIDECAR_STACK_FAILED', `stopped before ${unit.name} started`);
    const health = unit.service.health;
    // startTimeout bounds the whole start-up of a unit, across crash restarts.
    const deadline = health
      ? this.clock.setTimeout(() => unit.readiness.reject(stackFailed(unit, `not ready after ${health.startTimeoutMs}ms: ${unit.prober?.lastFailure ?? unit.lastError ?? 'no probe passed yet'}`)), health.startTimeoutMs)
      : undefined;
    try {
      await this.driver.spawn(unit);
      await unit.readiness.promise;
    } finally {
      if (deadline !== undefined) this.clock.clearTimeout(deadline);
    }
  }

  // DESIGN 1: each init job must exit 0, else the stack fails with its last log lines.
  private async runInit(unit: Unit): Promise<void> {
    await this.driver.spawn(unit);
    // onExit (registered first) has recorded the outcome by the time this resumes.
    await unit.running?.exited;
    if (unit.state === 'failed') throw stackFailed(unit, unit.lastError ?? 'init job failed');
    if (unit.state !== 'exited') throw new SidecarError('SIDECAR_STACK_FAILED', `the stack was stopped while init job ${unit.name} ran`);
  }

  // DESIGN 5: the app completed: sidecars stop in reverse order, completion carries its code.
  private complete(exitCode: number): Promise<void> {
    if (!this.stopping) {
      this.emitStack('completed', `app exit code ${exitCode}`);
      this.stopping = this.shutdown({}, {exitCode, reason: 'completed'});
    }
    return this.stopping;
  }

  private async shutdown(options: StopOptions, result: StackCompletion): Promise<void> {
    this.phase = 'stopping';
    this.emitStack('stopping');
    for (const unit of this.units) unit.readiness.reject(new SidecarError('SIDECAR_STACK_FAILED', `the stack was stopped before ${unit.name} was ready`));
    const order = [this.pod.app, ...[...this.pod.sidecars].reverse(), ...[...this.pod.init].reverse()];
    for (const service of order) {
      const unit = this.unit(service.name);
      await this.driver.stopUnit(unit, options.timeoutMs ?? service.stopTimeoutMs);
    }
    // Leftovers: anything of the stack still alive (children that left their group). Their
    // grace is short so that stop stays within the sum of the stopTimeouts + 1s (DESIGN 6).
    const graceMs = options.timeoutMs === 0 ? 0 : LEFTOVER_GRACE_MS;
    await this.runtime.reap(this.manifest, this.seen, {graceMs}).catch(() => []);
    this.phase = 'done';
    this.emitStack('stopped');
    this.done.resolve(result);
  }

  private async killAll(): Promise<void> {
    await Promise.all(this.units.map((unit) => (unit.running ? this.runtime.kill(unit.running) : undefined)));
  }

  private onLog(line: LogLine): void {
    const unit = this.units.find((u) => u.name === line.service);
    unit?.remember(line.line);
    unit?.prober?.nudge();
    for (const listener of this.listeners.log) listener(line);
  }

  private emit(event: LifecycleEvent): void {
    for (const listener of this.listeners.event) listener(event);
  }

  private emitStack(to: string, detail?: string): void {
    this.emit({time: this.clock.now(), service: this.manifest.name, type: 'stack', to, ...(detail ? {detail} : {})});
  }

  private unit(name: string): Unit {
    return this.units.find((unit) => unit.name === name)!;
  }

  private unitOrThrow(name: string): Unit {
    const unit = this.units.find((u) => u.name === name);
    if (!unit) throw new SidecarError('SIDECAR_UNKNOWN_SERVICE', `no service named "${name}"`, {suggestion: `known services: ${this.units.map((u) => u.name).join(', ')}`});
    return unit;
  }
}

export interface UpdateResult {
  recreated: string[];
  // Services that did not run and were started (`up app` after `up proxy`).
  started: string[];
  unchanged: string[];
}

// A unit that nothing runs or will restart: `up` may start it.
function isIdle(unit: Unit): boolean {
  return unit.state === 'pending' || unit.state === 'exited' || unit.state === 'failed';
}
