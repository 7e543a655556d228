import type {ErrorCode} from '../../errors/index.js';
import type {Manifest} from '../../manifest/types.js';
import type {RuntimeKind, UnitUsage} from '../../runtime/types.js';
import type {LifecycleEvent, LogLine, ServiceStatus} from '../../supervisor/types.js';

// The control socket speaks newline-delimited JSON: one request per connection,
// answered by one `result` or `error` frame, or by `data` frames then `end` for streams.
// `to`: the supervisor the request is meant for; any other process answering at
// the socket's path refuses it (SIDECAR_NOT_RUNNING) before doing anything.
export type ControlRequest = ControlCall & {to?: SupervisorIdentity};

// A supervisor as a client recorded it: a pid names one process only with its start
// time (pids are reused). Every supervisor of a directory binds the same socket path,
// so a handle that outlived its stack would otherwise be answered by the next one.
export interface SupervisorIdentity {
  pid: number;
  // /proc start time; absent where /proc is not (then the pid alone is compared).
  startTime?: string | undefined;
}

export type ControlCall =
  | {method: 'hello'}
  | {method: 'ps'}
  // `ps` with each running unit's CPU time and memory (`ps --watch`).
  | {method: 'top'}
  | {method: 'wait'}
  | {method: 'restart'; services: string[]}
  // With `stdin`, the client then sends InputFrames on the same connection (the
  // CLI's stdin, as `docker exec -i` streams it), ending with `{stdinEnd: true}`.
  // Any exec client may send `{signal}` (it was interrupted): the command gets it.
  | {method: 'exec'; service: string; command: string[]; stdin?: boolean}
  // Where this machine reaches a service's port under the runtime in use (the Node API's endpoint()).
  | {method: 'endpoint'; service: string; port: number}
  | {method: 'logs'; services: string[]; tail?: number; since?: number; follow: boolean}
  | {method: 'events'}
  | {method: 'down'; timeoutMs?: number; volumes: boolean}
  // `up [SERVICE...]` on a running stack: converge onto this manifest (as loaded
  // by the CLI) and start the named services (default: all) that do not run.
  // watch: `up --watch` on the running stack (it follows the manifest's watch rules from then on).
  | {method: 'update'; manifest: Manifest; services?: string[]; watch?: boolean};

export type ControlMethod = ControlRequest['method'];

// What a client may send after its request: a chunk of input (base64), its end,
// or a signal the client got, for what it asked to run (exec).
export type InputFrame = {stdin: string} | {stdinEnd: true} | {signal: ForwardedSignal};

// The signals `sidecar exec` passes on to its command, as `run` does to its CMD.
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

export type StackPhase = 'starting' | 'ready' | 'failed' | 'stopping' | 'done';

export interface HelloResult {
  pid: number;
  project: string;
  runtime: RuntimeKind;
  dir: string;
  phase: StackPhase;
}

export interface PsResult {
  project: string;
  runtime: RuntimeKind;
  supervisor: {pid: number} | null;
  services: ServiceStatus[];
}

export interface TopResult extends PsResult {
  // Per service, in the order of `services`: null where it does not run or cannot be read.
  usage: (UnitUsage | null)[];
  // When the usage was read (epoch ms): two answers give CPU percentages.
  at: number;
}

export interface WireError {
  code: ErrorCode;
  message: string;
  exitCode?: number;
  suggestion?: string;
}

// `beat` is the supervisor's sign of life while a request is open (a stream, a
// `wait`, a `down` that stops services): a client that hears nothing for its
// deadline knows the supervisor is stopped or busy (issue 9.3).
export type ControlFrame =
  | {type: 'result'; result: unknown}
  | {type: 'error'; error: WireError}
  | {type: 'data'; data: unknown}
  | {type: 'beat'}
  | {type: 'end'};

export const HEARTBEAT_MS = 1000;

// Issue 9.9: a request line is at most this long (the largest real one is
// `update` carrying a manifest, itself capped far below); longer ones are dropped.
export const MAX_REQUEST_CHARS = 16 * 1024 * 1024;

// An answer frame is at most this long (log batches are cut near 1 MB; `exec`
// output is the largest single result).
export const MAX_FRAME_CHARS = 64 * 1024 * 1024;

export type LogBatch = LogLine[];
export type EventBatch = LifecycleEvent[];
