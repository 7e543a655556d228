import {SidecarError} from '../errors/index.js';
import {servicesInStartOrder, type Pod, type Service} from '../manifest/types.js';
import type {Runtime} from '../runtime/types.js';
import type {Clock, Random} from '../time/clock.js';
import {Deferred} from './deferred.js';
import {stackFailed} from './stack-failed.js';
import {gatesOf, selectServices} from './start-plan.js';
import type {LifecycleEvent, LogLine, RestartResult, ServiceStatus, UnitIdentity} from './types.js';
import {Unit} from './unit.js';
import {UnitDriver, type StackPhase} from './unit-driver.js';
import {stopInOrder} from './stop-in-order.js';

// What a pod needs from the stack that holds it.
export interface PodHost {
  readonly runtime: Runtime;
  readonly clock: Clock;
  readonly random: Random;
  emit(event: LifecycleEvent): void;
  // The pod's own lifecycle said aloud (see Stack.announce): `to` and a detail.
  announce(pod: string, to: string, detail: string | undefined, ownsStack: boolean): void;
  subscribeLogs(service: string, onLine: (line: string) => void): () => void;
  // Every identity ever started, so leftovers are reaped when the stack stops.
  started(identity: UnitIdentity): void;
  // The pod finished by itself (its app completed, or it could not be recreated).
  finished(exitCode: number): void;
}

// How a pod ended: by itself (its app's code), or stopped by the stack.
export interface PodEnd {
  exitCode: number;
  byItself: boolean;
}

// One pod's whole single-pod lifecycle (DESIGN "Lifecycle semantics" 1-6): init
// jobs, readiness-gated sidecars, the app, isolated restarts, completion that
// stops its own sidecars, ordered bounded stop, recreation after podLost. It
// knows nothing of other pods: the Stack orders pods and a crash here stays here.
export class PodSupervisor {
  phase: StackPhase = 'idle';
  readonly units: Unit[];
  private readonly driver: UnitDriver;
  private stopping?: Promise<void>;
  // Set when the pod ends by itself (completion, failed recreation).
  private selfEnd?: number;
  private ended = new Deferred<PodEnd>();
  // Every unit gone (stop-in-order.ts), maybe before their exits are all reported.
  private unitsGone = new Deferred<void>();
  // What start() started (`up SERVICE` starts a subset), for a recreation.
  private selected: Service[] = [];
  private recreating = false;
  // Units start-up (or `up SERVICE`) will launch once what they wait for is ready: a
  // restart leaves them to it, so that none starts early or twice.
  private readonly gated = new Set<Unit>();

  constructor(
    public pod: Pod,
    private readonly host: PodHost,
  ) {
    this.units = servicesInStartOrder(pod).map((service) => new Unit(service, host.clock, (event) => host.emit(event)));
    this.driver = new UnitDriver({
      runtime: host.runtime,
      clock: host.clock,
      random: host.random,
      emit: (event) => host.emit(event),
      subscribeLogs: (service, onLine) => host.subscribeLogs(service, onLine),
      phase: () => this.phase,
      started: (identity) => host.started(identity),
      appFinished: (exitCode) => void this.complete(exitCode),
    });
  }

  get name(): string {
    return this.pod.name;
  }

  // Settles once the pod is done, however it ended.
  get end(): Promise<PodEnd> {
    return this.ended.promise;
  }

  // Settles once no unit of the pod runs any more, at the latest when it is done.
  get gone(): Promise<void> {
    return this.unitsGone.promise;
  }

  // Ending (or ended) by itself rather than by the stack's stop.
  get endingByItself(): boolean {
    return this.selfEnd !== undefined;
  }

  // A pod that finished while the stack runs on (its app completed, or an `up POD`
  // that could not bring it up stopped it again) may be started again: back to
  // idle, its units as they ended. False for a pod that is not done.
  reopen(): boolean {
    if (this.phase !== 'done') return false;
    this.phase = 'idle';
    this.stopping = undefined;
    this.selfEnd = undefined;
    this.ended = new Deferred<PodEnd>();
    this.unitsGone = new Deferred<void>();
    this.gated.clear();
    for (const unit of this.units) {
      unit.attempt = 0;
      unit.readiness = new Deferred<void>();
    }
    return true;
  }

  status(): ServiceStatus[] {
    return this.units.map((unit) => unit.status());
  }

  identities(): UnitIdentity[] {
    return this.units.flatMap((unit) => (unit.running ? [unit.running.identity] : []));
  }

  // A line of one of its units; false when the line is not this pod's.
  onLog(line: LogLine): boolean {
    const unit = this.units.find((u) => u.name === line.service);
    if (!unit) return false;
    unit.remember(line.line);
    unit.prober?.nudge();
    return true;
  }

  unitById(id: string): Unit | undefined {
    return this.units.find((unit) => unit.name === id);
  }

  // DESIGN 1: init jobs in order, sidecars gated on readiness, app last. Throws when
  // the pod cannot come up; stopping what started is the stack's call.
  async start(selected: Service[]): Promise<void> {
    this.selected = selected;
    this.phase = 'starting';
    this.host.announce(this.name, 'starting', undefined, false);
    await this.bringUp(selected);
    if (this.phase === 'starting') {
      this.phase = 'up';
      this.host.announce(this.name, 'ready', undefined, false);
    }
  }

  // Init jobs in order, sidecars gated on readiness, app last. A recreated pod
  // gets a new network namespace first (volumes and images are there).
  private async bringUp(selected: Service[], recreate = false): Promise<void> {
    if (recreate) await this.host.runtime.preparePod(this.pod);
    this.host.runtime.precreate?.([...this.pod.init, ...selected]);
    for (const service of [...this.pod.init, ...selected]) this.gated.add(this.unit(service.name));
    for (const service of this.pod.init) {
      this.gated.delete(this.unit(service.name));
      await this.runInit(this.unit(service.name));
    }
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
  // idempotent). A pod that cannot be recreated stops as a whole; other pods go on.
  async recreate(reason: string): Promise<void> {
    if (this.phase !== 'up' || this.recreating) return;
    this.recreating = true;
    this.phase = 'starting';
    this.host.announce(this.name, 'recreating', `${reason}: stopping every service and recreating the pod`, true);
    try {
      for (const service of this.stopOrder()) await this.driver.stopUnit(this.unit(service.name), service.stopTimeoutMs);
      if (this.phase !== 'starting') return;
      for (const unit of this.units) {
        unit.attempt = 0;
        unit.readiness = new Deferred<void>();
      }
      await this.bringUp(this.selected, true);
      if (this.phase === 'starting') {
        this.phase = 'up';
        this.host.announce(this.name, 'ready', 'pod recreated', true);
      }
    } catch (error) {
      if (!this.stopping) {
        this.host.announce(this.name, 'failed', `recreating the pod failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, true);
        this.endByItself(1);
      }
    } finally {
      this.recreating = false;
    }
  }

  // The stack stops this pod (DESIGN 6): app first, then sidecars in reverse start
  // order. A pod already ending by itself finishes that instead.
  stop(timeoutMs?: number): Promise<void> {
    this.stopping ??= this.shutdown(timeoutMs, false);
    return this.stopping;
  }

  async kill(): Promise<void> {
    await Promise.all(this.units.map((unit) => (unit.running ? this.host.runtime.kill(unit.running) : undefined)));
  }

  // `sidecar restart`: stop and start again without touching the others; not counted
  // as a crash. Init jobs named (`restart POD` names every service) run again first,
  // each to completion, as a recreated Kubernetes pod reruns its init containers.
  // A unit start-up has not launched yet is left to it (it starts fresh, in order,
  // once what it waits for is ready), and named in `notStarted`. A restarted unit
  // start-up waits on keeps the readiness it awaits, so start-up goes on once it is ready.
  async restart(units: Unit[]): Promise<RestartResult> {
    if (this.phase !== 'up' && this.phase !== 'starting') throw new SidecarError('SIDECAR_NOT_RUNNING', `pod ${this.name} is not running`, {suggestion: `\`sidecar up ${this.name}\` starts it again`});
    const notStarted = units.filter((u) => this.gated.has(u));
    const now = units.filter((u) => !this.gated.has(u));
    for (const unit of now.filter((u) => u.service.role === 'init')) {
      await this.driver.stopUnit(unit, unit.service.stopTimeoutMs);
      unit.renewReadiness();
      await this.runInit(unit);
    }
    await Promise.all(
      now.filter((u) => u.service.role !== 'init').map(async (unit) => {
        const failed = unit.state === 'failed';
        await this.driver.stopUnit(unit, unit.service.stopTimeoutMs);
        unit.attempt = 0;
        if (failed) unit.budgetFrom = unit.restarts;
        unit.renewReadiness();
        await this.driver.spawn(unit);
        await unit.readiness.promise;
      }),
    );
    return {restarted: now.map((u) => u.name), notStarted: notStarted.map((u) => u.name)};
  }

  // `up` on a running stack: a changed running unit is stopped and started again
  // with its new configuration, ready before the caller goes on.
  async recreateUnit(unit: Unit, service: Service): Promise<void> {
    await this.driver.stopUnit(unit, unit.service.stopTimeoutMs);
    unit.service = service;
    unit.attempt = 0;
    unit.renewReadiness();
    await this.driver.spawn(unit);
    await unit.readiness.promise;
  }

  // The selected services that do not run (never started, exited, failed), gated
  // as at start-up on what runs already; if one cannot get ready, the ones started
  // here are stopped again and the rest of the pod is left as it was.
  async startIdle(names: string[] | undefined): Promise<string[]> {
    const wanted = selectServices(this.pod, names);
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
    return idle.map((s) => s.id);
  }

  private async launchAfter(unit: Unit, gates: Promise<void>[]): Promise<void> {
    this.gated.add(unit);
    try {
      await Promise.all(gates);
    } finally {
      this.gated.delete(unit);
    }
    // Started at start-up, or later by `up SERVICE` on a running stack; never while it stops.
    if (this.phase !== 'starting' && this.phase !== 'up') throw new SidecarError('SIDECAR_STACK_FAILED', `stopped before ${unit.name} started`);
    const health = unit.service.health;
    // startTimeout bounds the whole start-up of a unit, across crash restarts.
    const deadline = health
      ? this.host.clock.setTimeout(() => unit.readiness.reject(stackFailed(unit, `not ready after ${health.startTimeoutMs}ms: ${unit.prober?.lastFailure ?? unit.lastError ?? 'no probe passed yet'}`)), health.startTimeoutMs)
      : undefined;
    try {
      await this.driver.spawn(unit);
      await unit.readiness.promise;
    } finally {
      if (deadline !== undefined) this.host.clock.clearTimeout(deadline);
    }
  }

  // DESIGN 1: each init job must exit 0, else the pod fails with its last log lines.
  private async runInit(unit: Unit): Promise<void> {
    await this.driver.spawn(unit);
    // onExit (registered first) has recorded the outcome by the time this resumes.
    await unit.running?.exited;
    if (unit.state === 'failed') throw stackFailed(unit, unit.lastError ?? 'init job failed');
    if (unit.state !== 'exited') throw new SidecarError('SIDECAR_STACK_FAILED', `the stack was stopped while init job ${unit.name} ran`);
  }

  // DESIGN 5: the app completed: the pod's sidecars stop in reverse order and the
  // pod is done with the app's code. Other pods are not touched.
  private complete(exitCode: number): void {
    if (this.stopping) return;
    this.host.announce(this.name, 'completed', `app exit code ${exitCode}`, true);
    this.endByItself(exitCode);
  }

  private endByItself(exitCode: number): void {
    this.selfEnd = exitCode;
    this.stopping = this.shutdown(undefined, true);
  }

  private async shutdown(timeoutMs: number | undefined, byItself: boolean): Promise<void> {
    const wasIdle = this.phase === 'idle';
    this.phase = 'stopping';
    if (byItself) this.host.announce(this.name, 'stopping', undefined, true);
    for (const unit of this.units) unit.readiness.reject(new SidecarError('SIDECAR_STACK_FAILED', `the stack was stopped before ${unit.name} was ready`));
    const steps = wasIdle ? [] : this.stopOrder().map((service) => ({unit: this.unit(service.name), timeoutMs: timeoutMs ?? service.stopTimeoutMs}));
    await stopInOrder(this.driver, steps, () => this.unitsGone.resolve());
    this.phase = 'done';
    if (byItself) this.host.announce(this.name, 'stopped', undefined, false);
    this.ended.resolve({exitCode: this.selfEnd ?? 0, byItself: this.selfEnd !== undefined});
    if (this.selfEnd !== undefined) this.host.finished(this.selfEnd);
  }

  private stopOrder(): Service[] {
    return [this.pod.app, ...[...this.pod.sidecars].reverse(), ...[...this.pod.init].reverse()];
  }

  // A unit by its name within the pod (gates and `after` speak bare names).
  private unit(name: string): Unit {
    return this.units.find((unit) => unit.service.name === name)!;
  }
}

// A unit that nothing runs or will restart: `up` may start it.
export function isIdle(unit: Unit): boolean {
  return unit.state === 'pending' || unit.state === 'exited' || unit.state === 'failed';
}
