import {SidecarError} from '../errors/index.js';
import {makeProbe} from '../health/make-probe.js';
import {Prober} from '../health/prober.js';
import type {Manifest} from '../manifest/types.js';
import type {ExitInfo, Runtime} from '../runtime/types.js';
import {attemptAfterExit, backoffDelay} from './backoff.js';
import {realClock, type Clock, type Random} from './clock.js';
import {Deferred} from './deferred.js';
import {exitCodeOf} from './exit-code.js';
import {shouldRestart} from './restart-policy.js';
import {stackFailed} from './stack-failed.js';
import {gatesOf, selectServices} from './start-plan.js';
import type {LifecycleEvent, LogLine, ServiceStatus, StackCompletion, StartOptions, StopOptions, SupervisorApi, SupervisorListener, UnitIdentity} from './types.js';
import {Unit} from './unit.js';

export interface SupervisorOptions {
  manifest: Manifest;
  runtime: Runtime;
  clock?: Clock;
  random?: Random;
}

// How long leftovers (processes that escaped their group) get between SIGTERM and SIGKILL.
const LEFTOVER_GRACE_MS = 500;

type Phase = 'idle' | 'starting' | 'up' | 'stopping' | 'done';

// Owns the co-lifecycle of one stack (DESIGN "Lifecycle semantics" 1-7) over an injected Runtime.
export class Supervisor implements SupervisorApi {
  private readonly manifest: Manifest;
  private readonly runtime: Runtime;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly units: Unit[];
  private readonly listeners = {event: new Set<SupervisorListener['event']>(), log: new Set<SupervisorListener['log']>()};
  private readonly done = new Deferred<StackCompletion>();
  private phase: Phase = 'idle';
  private stopping?: Promise<void>;
  // Every identity ever started, so leftovers of past runs are reaped on stop.
  private readonly seen: UnitIdentity[] = [];

  constructor(options: SupervisorOptions) {
    this.manifest = options.manifest;
    this.runtime = options.runtime;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    const services = [...this.manifest.init, ...this.manifest.sidecars, this.manifest.app];
    this.units = services.map((service) => new Unit(service, this.clock, (event) => this.emit(event)));
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
    const selected = selectServices(this.manifest, options.only);
    this.phase = 'starting';
    this.emitStack('starting');
    try {
      await this.runtime.prepare(this.manifest, {log: (line) => this.onLog(line)});
      for (const service of this.manifest.init) await this.runInit(this.unit(service.name));
      const tasks = new Map<string, Promise<void>>();
      for (const service of selected) {
        const gates = gatesOf(this.manifest, service).filter((name) => selected.some((s) => s.name === name));
        tasks.set(service.name, this.launchAfter(this.unit(service.name), gates.map((name) => tasks.get(name)!)));
      }
      await Promise.all(tasks.values());
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
        await this.stopUnit(unit, unit.service.stopTimeoutMs);
        unit.attempt = 0;
        unit.readiness = new Deferred<void>();
        await this.spawn(unit);
        await unit.readiness.promise;
      }),
    );
  }

  private async launchAfter(unit: Unit, gates: Promise<void>[]): Promise<void> {
    await Promise.all(gates);
    if (this.phase !== 'starting') throw new SidecarError('SIDECAR_STACK_FAILED', `stopped before ${unit.name} started`);
    const health = unit.service.health;
    // startTimeout bounds the whole start-up of a unit, across crash restarts.
    const deadline = health
      ? this.clock.setTimeout(() => unit.readiness.reject(stackFailed(unit, `not ready after ${health.startTimeoutMs}ms: ${unit.prober?.lastFailure ?? unit.lastError ?? 'no probe passed yet'}`)), health.startTimeoutMs)
      : undefined;
    try {
      await this.spawn(unit);
      await unit.readiness.promise;
    } finally {
      if (deadline !== undefined) this.clock.clearTimeout(deadline);
    }
  }

  // DESIGN 1: each init job must exit 0, else the stack fails with its last log lines.
  private async runInit(unit: Unit): Promise<void> {
    await this.spawn(unit);
    // onExit (registered first) has recorded the outcome by the time this resumes.
    await unit.running?.exited;
    if (unit.state === 'failed') throw stackFailed(unit, unit.lastError ?? 'init job failed');
    if (unit.state !== 'exited') throw new SidecarError('SIDECAR_STACK_FAILED', `the stack was stopped while init job ${unit.name} ran`);
  }

  private async spawn(unit: Unit): Promise<void> {
    if (this.shuttingDown()) {
      unit.readiness.reject(new SidecarError('SIDECAR_STACK_FAILED', `the stack is stopping; ${unit.name} was not started`));
      return;
    }
    unit.transition('starting');
    unit.setHealth(unit.service.health ? 'starting' : 'none');
    unit.healthySince = undefined;
    const generation = ++unit.generation;
    let running;
    try {
      running = await this.runtime.start(unit.service);
    } catch (error) {
      unit.lastError = error instanceof Error ? error.message : String(error);
      unit.transition('failed', unit.lastError);
      unit.readiness.reject(stackFailed(unit, unit.lastError));
      return;
    }
    this.seen.push(running.identity);
    if (generation !== unit.generation || this.shuttingDown()) {
      // Stopped (or superseded) while the runtime was starting it: never leave it behind.
      await this.runtime.stop(running, unit.service.stopSignal, unit.service.stopTimeoutMs);
      if (generation === unit.generation && unit.state === 'starting') unit.transition('exited', 'stopped before it was up');
      return;
    }
    unit.running = running;
    unit.exitCode = null;
    void running.exited.then((info) => this.onExit(unit, generation, info));
    if (unit.service.role === 'init') {
      unit.readiness.resolve();
      return;
    }
    const probe = makeProbe(unit.service, this.runtime, (onLine) => this.on('log', (line) => line.service === unit.name && onLine(line.line)));
    if (!probe || !unit.service.health) {
      this.onReady(unit, generation);
      return;
    }
    const prober = new Prober(probe, unit.service.health, this.clock, {
      ready: () => this.onReady(unit, generation),
      healthy: () => generation === unit.generation && unit.setHealth('healthy'),
      probeFailed: (error) => generation === unit.generation && this.emit({time: this.clock.now(), service: unit.name, type: 'probe-failed', detail: error}),
      unhealthy: (error) => this.onUnhealthy(unit, generation, error),
      startTimedOut: (error) => this.onUnhealthy(unit, generation, error),
    });
    unit.prober = prober;
    prober.start();
  }

  private onReady(unit: Unit, generation: number): void {
    if (generation !== unit.generation || unit.state !== 'starting') return;
    unit.transition('running');
    unit.setHealth(unit.service.health ? 'healthy' : 'none');
    unit.healthySince = this.clock.now();
    unit.readiness.resolve();
  }

  private onExit(unit: Unit, generation: number, info: ExitInfo): void {
    if (generation !== unit.generation) return;
    const probeError = unit.prober?.lastFailure;
    unit.prober?.stop();
    unit.prober = undefined;
    unit.running = undefined;
    unit.exitCode = exitCodeOf(info);
    this.emit({time: this.clock.now(), service: unit.name, type: 'exit', detail: info.signal ? `killed by ${info.signal}` : `exit code ${info.exitCode}`});
    // stopUnit() owns the transitions of a unit it is stopping.
    if (unit.state === 'stopping') return;
    unit.lastError = `exited with code ${unit.exitCode}${probeError ? ` (last probe: ${probeError})` : ''}`;
    if (unit.service.role === 'init') {
      if (unit.exitCode === 0) unit.transition('exited');
      else this.fail(unit, `exited with code ${unit.exitCode}`);
      return;
    }
    if (this.phase === 'stopping' || this.phase === 'done') {
      unit.transition('exited');
      return;
    }
    unit.attempt = attemptAfterExit(unit.attempt, unit.healthySince, this.clock.now());
    if (unit.service.health) unit.setHealth('unhealthy', `exit code ${unit.exitCode}`);
    if (shouldRestart(unit.service.restart, unit.exitCode)) {
      this.scheduleRestart(unit, `exited with code ${unit.exitCode}`);
      return;
    }
    unit.transition('exited', `exit code ${unit.exitCode}`);
    unit.readiness.reject(stackFailed(unit, `exited with code ${unit.exitCode} before it was ready`));
    // DESIGN 5: the app is done and will not restart: the stack is done.
    if (unit.service.role === 'app') void this.complete(unit.exitCode);
  }

  // DESIGN 3: an unhealthy unit (or one not ready by startTimeout) is restarted by itself.
  private async onUnhealthy(unit: Unit, generation: number, error: string): Promise<void> {
    if (generation !== unit.generation || !unit.running) return;
    unit.lastError = error;
    unit.attempt = attemptAfterExit(unit.attempt, unit.healthySince, this.clock.now());
    unit.setHealth('unhealthy', error);
    if (!unit.readiness.settled) {
      // Not ready by startTimeout during start-up: the stack cannot come up.
      unit.readiness.reject(stackFailed(unit, error));
      return;
    }
    if (unit.service.restart === 'never' || this.phase !== 'up') return;
    const running = unit.running;
    unit.transition('stopping', 'unhealthy');
    await this.runtime.stop(running, unit.service.stopSignal, unit.service.stopTimeoutMs);
    if (generation !== unit.generation || unit.state !== 'stopping') return;
    if (this.phase !== 'up') {
      unit.transition('exited');
      return;
    }
    this.scheduleRestart(unit, `unhealthy: ${error}`);
  }

  // DESIGN 4: 250ms doubling to 30s with jitter; maxRestarts exceeded turns the unit failed.
  private scheduleRestart(unit: Unit, why: string): void {
    const max = unit.service.maxRestarts;
    if (max !== undefined && unit.restarts >= max) {
      this.fail(unit, `${why}; gave up after ${unit.restarts} restarts (maxRestarts ${max})`);
      return;
    }
    const now = this.clock.now();
    const delay = backoffDelay(unit.attempt, this.random);
    unit.attempt++;
    unit.transition('backoff', why);
    unit.nextRestartAt = now + delay;
    this.emit({time: now, service: unit.name, type: 'restart', detail: `restart ${unit.restarts + 1} in ${delay}ms (${why})`});
    unit.restartTimer = this.clock.setTimeout(() => {
      unit.restartTimer = undefined;
      if (unit.state !== 'backoff' || (this.phase !== 'up' && this.phase !== 'starting')) return;
      unit.restarts++;
      void this.spawn(unit);
    }, delay);
  }

  private fail(unit: Unit, reason: string): void {
    unit.lastError = reason;
    unit.transition('failed', reason);
    unit.readiness.reject(stackFailed(unit, reason));
    if (unit.service.role === 'app' && this.phase === 'up') void this.complete(unit.exitCode ?? 1);
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
    const order = [this.manifest.app, ...[...this.manifest.sidecars].reverse(), ...[...this.manifest.init].reverse()];
    for (const service of order) {
      const unit = this.unit(service.name);
      await this.stopUnit(unit, options.timeoutMs ?? service.stopTimeoutMs);
    }
    // Leftovers: anything of the stack still alive (children that left their group). Their
    // grace is short so that stop stays within the sum of the stopTimeouts + 1s (DESIGN 6).
    const graceMs = options.timeoutMs === 0 ? 0 : LEFTOVER_GRACE_MS;
    await this.runtime.reap(this.manifest, this.seen, {graceMs}).catch(() => []);
    this.phase = 'done';
    this.emitStack('stopped');
    this.done.resolve(result);
  }

  private async stopUnit(unit: Unit, timeoutMs: number): Promise<void> {
    if (unit.restartTimer !== undefined) this.clock.clearTimeout(unit.restartTimer);
    unit.restartTimer = undefined;
    unit.prober?.stop();
    unit.prober = undefined;
    if (unit.state === 'backoff') unit.transition('exited', 'restart cancelled');
    const running = unit.running;
    if (!running || (unit.state !== 'starting' && unit.state !== 'running' && unit.state !== 'stopping')) return;
    if (unit.state !== 'stopping') unit.transition('stopping');
    const info = await this.runtime.stop(running, unit.service.stopSignal, timeoutMs);
    unit.generation++;
    unit.running = undefined;
    unit.exitCode = exitCodeOf(info);
    if (unit.state === 'stopping') unit.transition('exited', info.signal ? `stopped by ${info.signal}` : `exit code ${info.exitCode}`);
  }

  private shuttingDown(): boolean {
    return this.phase === 'stopping' || this.phase === 'done';
  }

  private async killAll(): Promise<void> {
    await Promise.all(this.units.map((unit) => (unit.running ? this.runtime.kill(unit.running) : undefined)));
  }

  private onLog(line: LogLine): void {
    this.units.find((unit) => unit.name === line.service)?.remember(line.line);
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
