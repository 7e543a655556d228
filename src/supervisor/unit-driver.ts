import {SidecarError} from '../errors/index.js';
import {makeProbe} from '../health/make-probe.js';
import {Prober} from '../health/prober.js';
import {unitAlive} from '../health/unit-alive.js';
import type {ExitInfo, Runtime} from '../runtime/types.js';
import {attemptAfterExit, backoffDelay, earliestDelay} from './backoff.js';
import type {Clock, Random} from '../time/clock.js';
import {exitCodeOf} from './exit-code.js';
import {formatMemory} from '../manifest/resources.js';
import {shouldRestart} from './restart-policy.js';
import {stackFailed, startRefused} from './stack-failed.js';
import type {LifecycleEvent, UnitIdentity} from './types.js';
import type {Unit} from './unit.js';

export type StackPhase = 'idle' | 'starting' | 'up' | 'stopping' | 'done';

// What a unit's driver needs from the supervisor that owns the stack.
export interface DriverHost {
  readonly runtime: Runtime;
  readonly clock: Clock;
  readonly random: Random;
  emit(event: LifecycleEvent): void;
  subscribeLogs(service: string, onLine: (line: string) => void): () => void;
  phase(): StackPhase;
  // Every identity ever started, so leftovers are reaped on stop.
  started(identity: UnitIdentity): void;
  // DESIGN 5: the app finished and will not restart.
  appFinished(exitCode: number): void;
}

// Drives one unit through its states (DESIGN 2-4): spawn, readiness, exits,
// unhealthiness, backoff restarts, stop. The supervisor decides when; this decides how.
export class UnitDriver {
  constructor(private readonly host: DriverHost) {}

  async spawn(unit: Unit): Promise<void> {
    if (this.shuttingDown()) {
      unit.readiness.reject(new SidecarError('SIDECAR_STACK_FAILED', `the stack is stopping; ${unit.name} was not started`));
      return;
    }
    unit.transition('starting');
    unit.setHealth(unit.service.health ? 'starting' : 'none');
    unit.healthySince = undefined;
    const generation = ++unit.generation;
    // Issue 9.11: subscribe a log probe before start, so a line printed while the
    // runtime is still starting the unit (docker: before the start call returns)
    // is seen (testcontainers' log wait strategy attaches before start too).
    const probe = unit.service.role === 'init' ? undefined : makeProbe(unit.service, this.host.runtime, (onLine) => this.host.subscribeLogs(unit.name, onLine));
    let running;
    try {
      running = await this.host.runtime.start(unit.service);
    } catch (error) {
      probe?.dispose?.();
      unit.lastError = error instanceof Error ? error.message : String(error);
      unit.transition('failed', unit.lastError);
      unit.readiness.reject(startRefused(unit, error));
      return;
    }
    this.host.started(running.identity);
    if (generation !== unit.generation || this.shuttingDown()) {
      // Stopped (or superseded) while the runtime was starting it: never leave it behind.
      probe?.dispose?.();
      await this.host.runtime.stop(running, unit.service.stopSignal, unit.service.stopTimeoutMs);
      if (generation === unit.generation && unit.state === 'starting') unit.transition('exited', 'stopped before it was up');
      return;
    }
    unit.running = running;
    unit.startedAt = this.host.clock.now();
    unit.exitCode = null;
    unit.exitReason = undefined;
    void running.exited.then((info) => this.onExit(unit, generation, info));
    if (unit.service.role === 'init') {
      unit.readiness.resolve();
      return;
    }
    if (!probe || !unit.service.health) {
      this.onReady(unit, generation);
      return;
    }
    // After ready, failures restart (DESIGN 3), or only mark the unit unhealthy
    // where a liveness check owns restarts (a Kubernetes readinessProbe).
    const marksOnly = unit.service.health.afterReady === 'mark';
    const prober = new Prober(probe, unit.service.health, this.host.clock, {
      ready: () => this.onReady(unit, generation),
      healthy: () => generation === unit.generation && unit.setHealth('healthy'),
      probeFailed: (error) => this.probeFailed(unit, generation, error),
      unhealthy: (error) => (marksOnly ? generation === unit.generation && unit.setHealth('unhealthy', error) : void this.onUnhealthy(unit, generation, error)),
      startTimedOut: (error) => this.onUnhealthy(unit, generation, error),
    }, () => generation === unit.generation && unit.running === running && unitAlive(running.identity));
    unit.prober = prober;
    prober.start();
  }

  private probeFailed(unit: Unit, generation: number, error: string): void {
    if (generation === unit.generation) this.host.emit({time: this.host.clock.now(), service: unit.name, type: 'probe-failed', detail: error});
  }

  // The liveness check (Kubernetes livenessProbe) runs from ready until the unit
  // exits: `retries` failures restart it like an unhealthy health check (DESIGN 3).
  private watchLiveness(unit: Unit, generation: number): void {
    const liveness = unit.service.liveness;
    const running = unit.running;
    if (!liveness || !running) return;
    const probe = makeProbe(unit.service, this.host.runtime, (onLine) => this.host.subscribeLogs(unit.name, onLine), liveness);
    if (!probe) return;
    const prober = new Prober(probe, liveness, this.host.clock, {
      ready: () => undefined,
      healthy: () => undefined,
      probeFailed: (error) => this.probeFailed(unit, generation, `liveness: ${error}`),
      unhealthy: (error) => void this.onUnhealthy(unit, generation, `liveness: ${error}`),
      startTimedOut: () => undefined,
    }, () => generation === unit.generation && unit.running === running && unitAlive(running.identity));
    unit.liveness = prober;
    prober.watch(unit.startedAt ?? this.host.clock.now());
  }

  private stopProbers(unit: Unit): void {
    unit.prober?.stop();
    unit.prober = undefined;
    unit.liveness?.stop();
    unit.liveness = undefined;
  }

  private onReady(unit: Unit, generation: number): void {
    // Issue 8.3: never ready while its own process is gone (exited, or in backoff).
    if (generation !== unit.generation || unit.state !== 'starting' || !unit.running) return;
    unit.transition('running');
    unit.setHealth(unit.service.health ? 'healthy' : 'none');
    unit.healthySince = this.host.clock.now();
    unit.readiness.resolve();
    this.watchLiveness(unit, generation);
  }

  private onExit(unit: Unit, generation: number, info: ExitInfo): void {
    if (generation !== unit.generation) return;
    const probeError = unit.prober?.lastFailure ?? unit.liveness?.lastFailure;
    this.stopProbers(unit);
    unit.running = undefined;
    unit.exitCode = exitCodeOf(info);
    this.host.emit({time: this.host.clock.now(), service: unit.name, type: 'exit', detail: info.signal ? `killed by ${info.signal}` : `exit code ${info.exitCode}`});
    const oom = this.noteOom(unit, info);
    // stopUnit() owns the transitions of a unit it is stopping.
    if (unit.state === 'stopping') return;
    unit.lastError = oom ?? `exited with code ${unit.exitCode}${probeError ? ` (last probe: ${probeError})` : ''}`;
    if (unit.service.role === 'init') {
      if (unit.exitCode === 0) unit.transition('exited');
      else this.fail(unit, `exited with code ${unit.exitCode}`);
      return;
    }
    if (this.host.phase() === 'stopping' || this.host.phase() === 'done') {
      unit.transition('exited');
      return;
    }
    unit.attempt = attemptAfterExit(unit.attempt, unit.healthySince, this.host.clock.now());
    if (unit.service.health) unit.setHealth('unhealthy', `exit code ${unit.exitCode}`);
    if (shouldRestart(unit.service.restart, unit.exitCode)) {
      this.scheduleRestart(unit, oom ?? `exited with code ${unit.exitCode}`);
      return;
    }
    unit.transition('exited', `exit code ${unit.exitCode}${oom ? ' (oom)' : ''}`);
    unit.readiness.reject(stackFailed(unit, `${oom ?? `exited with code ${unit.exitCode}`} before it was ready`));
    // DESIGN 5: the app is done and will not restart: the stack is done.
    if (unit.service.role === 'app') this.host.appFinished(unit.exitCode);
  }

  // DESIGN 3: an unhealthy unit (or one not ready by startTimeout) is restarted by itself.
  private async onUnhealthy(unit: Unit, generation: number, error: string): Promise<void> {
    if (generation !== unit.generation || !unit.running) return;
    unit.lastError = error;
    unit.attempt = attemptAfterExit(unit.attempt, unit.healthySince, this.host.clock.now());
    unit.setHealth('unhealthy', error);
    if (!unit.readiness.settled) {
      // Not ready by startTimeout during start-up: the stack cannot come up.
      unit.readiness.reject(stackFailed(unit, error));
      return;
    }
    if (unit.service.restart === 'never' || this.host.phase() !== 'up') return;
    const running = unit.running;
    unit.transition('stopping', 'unhealthy');
    await this.host.runtime.stop(running, unit.service.stopSignal, unit.service.stopTimeoutMs);
    if (generation !== unit.generation || unit.state !== 'stopping') return;
    if (this.host.phase() !== 'up') {
      unit.transition('exited');
      return;
    }
    this.scheduleRestart(unit, `unhealthy: ${error}`);
  }

  // DESIGN 4: 250ms doubling to 30s with jitter; maxRestarts exceeded turns the unit failed.
  private scheduleRestart(unit: Unit, why: string): void {
    const max = unit.service.maxRestarts;
    if (max !== undefined && unit.restarts - unit.budgetFrom >= max) {
      const restarts = unit.restarts - unit.budgetFrom;
      this.fail(unit, `${why}; gave up after ${restarts} ${restarts === 1 ? 'restart' : 'restarts'} (maxRestarts ${max})`);
      return;
    }
    const now = this.host.clock.now();
    const delay = backoffDelay(unit.attempt, this.host.random);
    // Issue 13.3: the backoff counts from the exit seen, so its timer is set
    // first; the transition's events and what is made ahead come after it. The
    // unit runs again when the delay is over: a runtime whose start takes time of
    // its own (docker: the engine starting the container) begins it that much
    // earlier, but never before the shortest delay DESIGN allows (the jitter's low
    // end), so that a start quicker than measured is still not early (a podman
    // start was, in the conformance suite, with half the delay as the bound).
    const lead = Math.min(Math.max(this.host.runtime.restartLeadMs?.() ?? 0, 0), Math.max(delay - earliestDelay(unit.attempt), 0));
    unit.restartTimer = this.host.clock.setTimeout(() => {
      unit.restartTimer = undefined;
      if (unit.state !== 'backoff' || (this.host.phase() !== 'up' && this.host.phase() !== 'starting')) return;
      unit.restarts++;
      void this.spawn(unit);
    }, Math.round(delay - lead));
    unit.attempt++;
    unit.transition('backoff', why);
    unit.nextRestartAt = now + delay;
    this.host.emit({time: now, service: unit.name, type: 'restart', detail: `restart ${unit.restarts + 1} in ${delay}ms (${why})`});
    // What does not wait for the backoff (docker: the new container; process: the next process, in its cgroup) is made during it.
    this.host.runtime.precreate?.([unit.service]);
  }

  private fail(unit: Unit, reason: string): void {
    unit.lastError = reason;
    unit.transition('failed', reason);
    unit.readiness.reject(stackFailed(unit, reason));
    if (unit.service.role === 'app' && this.host.phase() === 'up') this.host.appFinished(unit.exitCode ?? 1);
  }

  async stopUnit(unit: Unit, timeoutMs: number): Promise<void> {
    if (unit.restartTimer !== undefined) this.host.clock.clearTimeout(unit.restartTimer);
    unit.restartTimer = undefined;
    this.stopProbers(unit);
    if (unit.state === 'backoff') unit.transition('exited', 'restart cancelled');
    const running = unit.running;
    if (!running || (unit.state !== 'starting' && unit.state !== 'running' && unit.state !== 'stopping')) return;
    if (unit.state !== 'stopping') unit.transition('stopping');
    const info = await this.host.runtime.stop(running, unit.service.stopSignal, timeoutMs);
    unit.generation++;
    unit.running = undefined;
    unit.exitCode = exitCodeOf(info);
    this.noteOom(unit, info);
    if (unit.state === 'stopping') unit.transition('exited', info.signal ? `stopped by ${info.signal}` : `exit code ${info.exitCode}`);
  }

  // DESIGN "Resources": a memory kill is `reason: oom` beside the exit code, and an
  // `oom` event (Kubernetes: lastState.terminated.reason OOMKilled, and its event).
  private noteOom(unit: Unit, info: ExitInfo): string | undefined {
    if (!info.oomKilled) return undefined;
    unit.exitReason = 'oom';
    const limit = unit.service.resources?.memoryBytes;
    const why = `killed for exceeding its memory limit${limit === undefined ? '' : ` of ${formatMemory(limit)}`} (exit code ${unit.exitCode})`;
    this.host.emit({time: this.host.clock.now(), service: unit.name, type: 'oom', detail: why});
    return why;
  }

  shuttingDown(): boolean {
    const phase = this.host.phase();
    return phase === 'stopping' || phase === 'done';
  }
}
