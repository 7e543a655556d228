import type {PortMapping, Role} from '../manifest/types.js';
import type {LogLine, UnitIdentity} from '../runtime/types.js';

export type {LogLine, UnitIdentity} from '../runtime/types.js';

// process-compose / supervisord: a supervised unit is one of these states.
export type UnitState = 'pending' | 'starting' | 'running' | 'backoff' | 'stopping' | 'exited' | 'failed';

// Readiness is a second axis beside the state (DESIGN "ps --json").
export type HealthState = 'healthy' | 'unhealthy' | 'starting' | 'none';

// One service as `ps --json` prints it (DESIGN shape), plus a few extras.
export interface ServiceStatus {
  // The service's id (`POD/SERVICE` in the pods form), and the pod it belongs to
  // (always set by the supervisor; absent in a state.json written before pods).
  name: string;
  pod?: string;
  role: Role;
  state: UnitState;
  health: HealthState;
  restarts: number;
  pid: number | null;
  containerId: string | null;
  exitCode: number | null;
  // Why it last exited, beside exitCode (and cleared with it): `oom` when it was
  // killed for exceeding its memory limit (DESIGN "Resources"; Kubernetes' OOMKilled).
  reason?: 'oom';
  ports: PortMapping[];
  // Epoch ms of the next restart attempt while state is `backoff`.
  nextRestartAt?: number;
  // Last probe error or start failure, for `ps` and the `--wait` failure block.
  lastError?: string;
  identity?: UnitIdentity;
  // Lines of its output that could not be written to its log (full disk), when any.
  logsDropped?: number;
  // `up --watch`: this service's rules as `PATH ACTION` (path relative to the project).
  watch?: string[];
}

export type LifecycleEventType = 'state' | 'health' | 'restart' | 'probe-failed' | 'exit' | 'stack' | 'pod' | 'logs-dropped' | 'watch' | 'oom';

// Every transition is one of these; `events`, the log store and `ps` read them.
export interface LifecycleEvent {
  // Epoch milliseconds.
  time: number;
  // Service id, the project name for `stack` events, the pod name for `pod` events
  // (pods form only: a single-pod stack's pod speaks through its `stack` events).
  service: string;
  type: LifecycleEventType;
  from?: string;
  to?: string;
  detail?: string;
}

export interface StartOptions {
  // Start only these services or pods (plus what they need: init jobs, earlier
  // sidecars, and the pods they are after).
  only?: string[];
}

export interface StopOptions {
  // Overrides every service's stopTimeout (`down --timeout`).
  timeoutMs?: number;
  // SIGKILL everything now (a second Ctrl-C).
  immediate?: boolean;
}

export interface StackCompletion {
  // The app's exit code when it completed (128+N for signal N); 0 after a requested stop.
  // Several pods: 0 when every app exited 0, else the first non-zero app exit code.
  exitCode: number;
  // completed: the app (every pod's app) finished, or failed for good; stopped: stop() was called.
  reason: 'completed' | 'stopped';
}

export type SupervisorListener = {
  event: (event: LifecycleEvent) => void;
  log: (line: LogLine) => void;
};

// The public face of the supervisor that commands and the control socket use.
// What `sidecar restart` did: services restarted, and those start-up has not started yet (left to it).
export interface RestartResult {
  restarted: string[];
  notStarted: string[];
}

export interface SupervisorApi {
  start(options?: StartOptions): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  restart(names: string[]): Promise<RestartResult>;
  status(): ServiceStatus[];
  identities(): UnitIdentity[];
  on<K extends keyof SupervisorListener>(name: K, listener: SupervisorListener[K]): () => void;
  readonly completion: Promise<StackCompletion>;
}
