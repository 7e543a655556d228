import type {Service} from '../manifest/types.js';
import type {Prober} from '../health/prober.js';
import type {RunningUnit} from '../runtime/types.js';
import type {Clock, TimerHandle} from '../time/clock.js';
import {Deferred} from './deferred.js';
import type {HealthState, LifecycleEvent, ServiceStatus, UnitState} from './types.js';
import {assertTransition} from './unit-state.js';

// Lines kept per service for the failure block of `up --wait` (DESIGN: last 20).
export const LOG_TAIL_LINES = 20;

// One supervised service: its state machine, health axis and restart bookkeeping.
// Every change goes through transition()/setHealth() so that each emits an event.
export class Unit {
  state: UnitState = 'pending';
  health: HealthState;
  restarts = 0;
  // `restarts` when the maxRestarts budget last started: a manual restart of a
  // failed unit starts a new one (as `systemctl restart` resets the start limit).
  budgetFrom = 0;
  // Backoff attempt counter (0: the next restart is the first).
  attempt = 0;
  exitCode: number | null = null;
  // Set with exitCode when the runtime saw the exit as a memory kill.
  exitReason?: 'oom';
  running?: RunningUnit;
  prober?: Prober;
  // The liveness check's prober, from ready to exit (Kubernetes livenessProbe).
  liveness?: Prober;
  restartTimer?: TimerHandle;
  nextRestartAt?: number;
  lastError?: string;
  healthySince?: number;
  // When the runtime last started it (a liveness check's startPeriod counts from here).
  startedAt?: number;
  // Bumped on every spawn: exits and probe results of an older run are ignored.
  generation = 0;
  // Settles when this unit is ready for the start plan (or failed to get there).
  readiness = new Deferred<void>();
  readonly logTail: string[] = [];

  // Replaced (same name) when `up` converges a running stack onto a changed manifest.
  constructor(public service: Service, private readonly clock: Clock, private readonly emit: (event: LifecycleEvent) => void) {
    this.health = service.health ? 'starting' : 'none';
  }

  // The service's id: its bare name in the single-pod form, `POD/SERVICE` with pods.
  get name(): string {
    return this.service.id;
  }

  transition(to: UnitState, detail?: string): void {
    const from = this.state;
    assertTransition(this.name, from, to);
    this.state = to;
    if (to !== 'backoff') this.nextRestartAt = undefined;
    this.emit({time: this.clock.now(), service: this.name, type: 'state', from, to, ...(detail ? {detail} : {})});
  }

  setHealth(to: HealthState, detail?: string): void {
    if (this.health === to) return;
    const from = this.health;
    this.health = to;
    if (to === 'healthy' || to === 'none') this.healthySince = this.clock.now();
    if (to === 'unhealthy') this.healthySince = undefined;
    this.emit({time: this.clock.now(), service: this.name, type: 'health', from, to, ...(detail ? {detail} : {})});
  }

  remember(line: string): void {
    this.logTail.push(line);
    if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
  }

  // A fresh readiness for a new run (`restart`, `up` recreating it), unless the current
  // one is still unsettled: start-up (or `up SERVICE`) awaits that very promise, and
  // the new run is what settles it (a replaced one was never settled: the app waited forever).
  renewReadiness(): void {
    if (this.readiness.settled) this.readiness = new Deferred<void>();
  }

  status(): ServiceStatus {
    const identity = this.running?.identity;
    return {
      name: this.name,
      pod: this.service.pod,
      role: this.service.role,
      state: this.state,
      health: this.health,
      restarts: this.restarts,
      pid: identity?.kind === 'process' ? identity.pid : null,
      containerId: identity?.kind === 'docker' ? identity.containerId : null,
      exitCode: this.exitCode,
      ...(this.exitReason ? {reason: this.exitReason} : {}),
      ports: this.service.ports,
      ...(this.nextRestartAt !== undefined ? {nextRestartAt: this.nextRestartAt} : {}),
      ...(this.lastError !== undefined ? {lastError: this.lastError} : {}),
      ...(identity ? {identity} : {}),
    };
  }
}
