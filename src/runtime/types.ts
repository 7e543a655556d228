import type {Manifest, Pod, Service} from '../manifest/types.js';

export type RuntimeKind = 'process' | 'docker';

// Who a running unit is, durable enough to find and verify it after the
// supervisor died: a pid is only ours while its start time and the boot match (pids
// are reused), a group member only while it carries the run's marker (runId).
export type UnitIdentity =
  | {kind: 'process'; pid: number; pgid: number; startTime: string; bootId?: string; runId?: string}
  // `service`: its label, as a reap found it (a container the record never had: one started ahead, held by its start gate).
  | {kind: 'docker'; containerId: string; service?: string};

export interface LogLine {
  service: string;
  stream: 'stdout' | 'stderr';
  line: string;
  // Epoch milliseconds when the line was read.
  time: number;
}

export interface ExitInfo {
  service: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  // True when the runtime saw the unit killed for memory (docker: oom event).
  oomKilled?: boolean;
}

// What a unit uses, for `ps --watch`: CPU time so far (the caller turns two
// samples into a percentage) and resident memory now.
export interface UnitUsage {
  cpuSeconds: number;
  memoryBytes: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  // Stream output to the caller's terminal instead of capturing it (`sidecar exec`).
  interactive?: boolean;
  env?: Record<string, string>;
  // The command's stdin (`sidecar exec` passes the CLI's own through the supervisor).
  stdin?: NodeJS.ReadableStream;
  // Aborted, its reason a signal name, when the caller was interrupted or went away:
  // the command gets that signal (under the process runtime, its whole group, SIGKILL
  // after a grace), and the result comes once it is gone.
  cancel?: AbortSignal;
}

// A unit that was started and has not been seen to exit yet.
export interface RunningUnit {
  readonly service: Service;
  readonly identity: UnitIdentity;
  // Resolves once the unit has exited, however that happened.
  readonly exited: Promise<ExitInfo>;
  // Optional: resolves once every process of the unit is known to be gone, which a
  // runtime may see before it can report the exit (docker: the engine's report
  // comes ~35 ms after the container's processes are gone). Never later than `exited`.
  readonly gone?: Promise<void>;
}

export interface RuntimeEvents {
  log(line: LogLine): void;
  // Engine-reported health (docker HEALTHCHECK) or memory kill; optional for runtimes.
  engineEvent?(event: {service: string; type: 'oom' | 'health_status'; detail?: string}): void;
  // The pod's shared network is gone (docker: the infra container died or was
  // removed): every unit lost its network. Kubernetes treats it as a sandbox
  // failure: kill the containers, recreate the sandbox, start them again.
  podLost?(pod: string, reason: string): void;
  // Something the user should know about how the runtime set the stack up (one line).
  notice?(message: string): void;
}

// A host and port the supervisor can connect to for a service's container port.
export interface ProbeEndpoint {
  host: string;
  port: number;
  // Why a refused connection was refused, with the fix, when the runtime can
  // tell (docker: the service listens on its loopback only; issue 8.4).
  explainRefused?: () => Promise<string | undefined>;
  // After a TCP connect: why nobody listens behind it, when a forwarder in
  // between accepts regardless (Docker's published route); undefined = fine.
  confirmListening?: () => Promise<string | undefined>;
}

// Where a probe reaches a service from the supervisor's side.
export interface ProbeAccess {
  // Host and port on which the supervisor can open a TCP connection to the
  // service's container port (process runtime: 127.0.0.1 and the same port).
  endpoint(service: Service, containerPort: number): Promise<ProbeEndpoint>;
  // Run a command where the service runs (its container, or its environment on the host).
  exec(service: Service, command: string[], options: ExecOptions): Promise<ExecResult>;
  // Where `${volumes.NAME}` points for this service: its mount path in the container,
  // or the host directory under the process runtime (health exec commands use it).
  volumePath(service: Service, volume: string): string;
  // Where `${pods.NAME.host}` points for this runtime (process: 127.0.0.1; docker:
  // NAME), for health exec commands; a runtime without it leaves the reference as written.
  podHost?(pod: string): string;
}

// The seam between the supervisor and where units run. The supervisor never
// knows whether it drives processes or containers.
export interface Runtime extends ProbeAccess {
  readonly kind: RuntimeKind;
  // This run of the stack, carried by its units (process runtime: in their environment)
  // and recorded in state.json so that reaping after a crash finds their escaped children.
  readonly runId?: string;
  // Shared resources first, once per stack: volumes, the project network, and
  // every pod's network namespace (docker: one infra container per pod).
  prepare(manifest: Manifest, events: RuntimeEvents): Promise<void>;
  // Recreate one pod's network namespace after podLost (docker: a new infra
  // container, same name and alias); idempotent; nothing under the process runtime.
  preparePod(pod: Pod): Promise<void>;
  // Optional: the units a pod is about to start, so that what does not depend on
  // the start order (docker: creating their containers) is done for all at once.
  // Called before prepare() too, with the whole plan and the manifest: then done as
  // soon as it can (the detached supervisor tells it before its socket and files).
  precreate?(services: Service[], manifest?: Manifest): void;
  // Create and start one unit; output lines flow to events.log.
  start(service: Service): Promise<RunningUnit>;
  // Optional: how long start() takes before the unit's process runs, for a unit
  // made ahead (docker: the engine starting a created container, as measured on
  // this engine). A restart is begun that much before its backoff ends, so that
  // the unit runs again when DESIGN 4's delay after the exit is over.
  restartLeadMs?(): number;
  // `up` on a running stack: get a changed service's image ready before its
  // running unit is stopped (Compose builds before it recreates), so a failing
  // build leaves the old unit running. Nothing to do under the process runtime.
  prebuild?(service: Service): Promise<void>;
  // stopSignal to the whole group/container, SIGKILL after timeoutMs; resolves on exit.
  stop(unit: RunningUnit, signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo>;
  // Immediate SIGKILL to the whole group/container.
  kill(unit: RunningUnit): Promise<void>;
  // CPU and memory of running units (undefined where it cannot be read).
  usage(identities: UnitIdentity[]): Promise<(UnitUsage | undefined)[]>;
  // Remove what prepare() created; named volumes only when removeVolumes.
  teardown(manifest: Manifest, options: {removeVolumes: boolean}): Promise<void>;
  // Stop anything of this project still alive that a dead supervisor left behind,
  // verifying identity before any signal. Returns what was stopped.
  // graceMs: how long survivors get between the stop signal and SIGKILL (default: the longest stopTimeout).
  // runIds: runs (see runId) whose marked leftovers are ours too.
  reap(manifest: Manifest, known: UnitIdentity[], options?: {graceMs?: number; runIds?: string[]}): Promise<UnitIdentity[]>;
  // `up --watch` (issue 11.4), runtimes whose units have a file system of their
  // own (docker; the process runtime reads the project's files in place):
  // copy files into a service's running unit and remove others, in one go.
  syncFiles?(service: Service, copy: SyncEntry[], remove: string[]): Promise<void>;
  // What every new unit of a service gets before it starts (the initial sync), so a
  // restart or recreate never loses synced files (Compose #11102, #12254).
  setInitialSync?(plan: InitialSync | undefined): void;
  // Bring a service's image up to date with its build context (watch `rebuild`);
  // the next start of the service uses it.
  rebuildImage?(service: Service): Promise<void>;
}

// A file to copy into a unit: absolute on the host, absolute in the unit, and how
// it is read (no-follow-read.ts): by the path the link guard found, never by `host`.
export interface SyncEntry {
  host: string;
  target: string;
  from: NoFollowPath;
}

// A file reached without following a link: `base` (the project's real path) is
// opened as it is, then each of `below` (directories, the file's name last) under
// the one before, none of them through a link.
export interface NoFollowPath {
  base: string;
  below: string[];
}

// Files to copy into a new unit before it starts, and paths deleted since `up`
// that its image may still hold (removed once it runs).
export type InitialSync = (service: Service) => Promise<{copy: SyncEntry[]; remove: string[]}>;
