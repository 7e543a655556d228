import {closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {symlinkRefusal} from '../runtime/safe-state-dir.js';
import type {RuntimeKind, UnitIdentity} from '../runtime/types.js';
import type {StackPhase} from './control/protocol.js';
import type {ServiceStatus} from '../supervisor/types.js';

// `.sidecar/supervisor.json`: who owns the stack and where to reach it.
export interface SupervisorRecord {
  pid: number;
  // /proc start time of the supervisor: its pid is only trusted while this matches.
  startTime: string | undefined;
  // /proc/sys/kernel/random/boot_id: a record of another boot names no process.
  bootId?: string;
  socket: string;
  project: string;
  runtime: RuntimeKind;
  manifestFile: string;
  startedAt: number;
  detached: boolean;
  // Hosted by `run`: it goes down when CMD ends, so neither `run` nor `up` may adopt it.
  transient?: boolean;
}

// `.sidecar/state.json`: every unit's last known status and identity, rewritten on
// each transition so that a `down` after the supervisor was SIGKILLed can find
// and verify every survivor (issue 3 point 7).
export interface StateRecord {
  project: string;
  runtime: RuntimeKind;
  manifestFile: string;
  updatedAt: number;
  phase: StackPhase;
  services: ServiceStatus[];
  // Every unit the supervisor started and has not seen gone, for reaping.
  identities: UnitIdentity[];
  // The run marker its units carry (process runtime), to find their escaped children after a crash.
  runId?: string;
  failure?: FailureRecord;
}

// Why start-up failed: the service, its probe error or exit, its last log lines.
export interface FailureRecord {
  service: string | null;
  message: string;
  lastLines: string[];
  // The fix, when the failure came with one (pod and image failures have no logs to see).
  suggestion?: string;
  // A stop was asked for (`down`, a signal) before the stack was ready: not a failure of a service.
  stopped?: boolean;
}

// Atomic replace: a reader (or a crash) never sees half a file. Never through a
// symlinked directory or temp file (issue 9.7); rename replaces a link at `file` itself.
export function writeJsonAtomic(file: string, value: unknown): void {
  const dir = path.dirname(file);
  mkdirSync(dir, {recursive: true});
  if (lstatSync(dir).isSymbolicLink()) throw symlinkRefusal(dir);
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkRefusal(tmp);
    throw error;
  }
  try {
    try {
      writeFileSync(fd, JSON.stringify(value, null, 2) + '\n');
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (error) {
    // A full disk: leave no half-written temp file taking the space (issue 9 point 6).
    rmSync(tmp, {force: true});
    throw error;
  }
}

// Missing or half-written: undefined. Unreadable (another user's project) is an
// error naming the file (issue 9.12), not "no stack here", which would be a lie.
export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    if (isDenied(error)) throw error;
    return undefined;
  }
}

export function isDenied(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

export const readSupervisorRecord = (file: string): SupervisorRecord | undefined => readJson<SupervisorRecord>(file);
// The file is ours (0700 .sidecar/), but what reads it must not trust its shape: an
// edited or damaged state.json (found by an attacker's trial: `ports: "x"` made `ps`
// fail as a bug, "ports.map is not a function") is read as far as it holds what a
// supervisor writes: a service or identity of another shape is left out, a field of
// another type falls back to its empty value. Not an object with services: none.
export function readStateRecord(file: string): StateRecord | undefined {
  return stateRecordOf(readJson<unknown>(file));
}

export function stateRecordOf(raw: unknown): StateRecord | undefined {
  if (!isObject(raw) || !Array.isArray(raw.services)) return undefined;
  if (raw.runtime !== 'process' && raw.runtime !== 'docker') return undefined;
  if (typeof raw.project !== 'string') return undefined;
  const services = raw.services.flatMap((s): ServiceStatus[] => {
    const status = serviceStatusOf(s);
    return status ? [status] : [];
  });
  const identities = Array.isArray(raw.identities) ? raw.identities.flatMap((i): UnitIdentity[] => (isUnitIdentity(i) ? [unitIdentityOf(i)] : [])) : [];
  return {
    project: raw.project,
    runtime: raw.runtime,
    manifestFile: typeof raw.manifestFile === 'string' ? raw.manifestFile : '',
    updatedAt: typeof raw.updatedAt === 'number' ? raw.updatedAt : 0,
    phase: (PHASES as readonly unknown[]).includes(raw.phase) ? (raw.phase as StackPhase) : 'done',
    services,
    identities,
    ...(typeof raw.runId === 'string' ? {runId: raw.runId} : {}),
    ...(isFailureRecord(raw.failure) ? {failure: failureRecordOf(raw.failure)} : {}),
  };
}

const PHASES = ['starting', 'ready', 'failed', 'stopping', 'done'] as const satisfies readonly StackPhase[];
const STATES = ['pending', 'starting', 'running', 'backoff', 'stopping', 'exited', 'failed'] as const satisfies readonly ServiceStatus['state'][];
const HEALTHS = ['healthy', 'unhealthy', 'starting', 'none'] as const satisfies readonly ServiceStatus['health'][];
const ROLES = ['app', 'sidecar', 'init'] as const satisfies readonly ServiceStatus['role'][];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const orNull = <T>(value: unknown, ok: (v: unknown) => v is T): T | null => (ok(value) ? value : null);
const isString = (value: unknown): value is string => typeof value === 'string';

function serviceStatusOf(raw: unknown): ServiceStatus | undefined {
  if (!isObject(raw) || typeof raw.name !== 'string') return undefined;
  const ports = Array.isArray(raw.ports) ? raw.ports.filter(isPortMapping).map((p) => ({hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol})) : [];
  const identity = isUnitIdentity(raw.identity) ? unitIdentityOf(raw.identity) : undefined;
  return {
    name: raw.name,
    ...(typeof raw.pod === 'string' ? {pod: raw.pod} : {}),
    role: (ROLES as readonly unknown[]).includes(raw.role) ? (raw.role as ServiceStatus['role']) : 'sidecar',
    state: (STATES as readonly unknown[]).includes(raw.state) ? (raw.state as ServiceStatus['state']) : 'exited',
    health: (HEALTHS as readonly unknown[]).includes(raw.health) ? (raw.health as ServiceStatus['health']) : 'none',
    restarts: isCount(raw.restarts) ? raw.restarts : 0,
    pid: orNull(raw.pid, isCount),
    containerId: orNull(raw.containerId, isString),
    exitCode: orNull(raw.exitCode, (v): v is number => typeof v === 'number' && Number.isInteger(v)),
    ...(raw.reason === 'oom' ? {reason: 'oom' as const} : {}),
    ports,
    ...(typeof raw.nextRestartAt === 'number' ? {nextRestartAt: raw.nextRestartAt} : {}),
    ...(typeof raw.lastError === 'string' ? {lastError: raw.lastError} : {}),
    ...(identity ? {identity} : {}),
    ...(isCount(raw.logsDropped) ? {logsDropped: raw.logsDropped} : {}),
    ...(Array.isArray(raw.watch) && raw.watch.every(isString) ? {watch: raw.watch} : {}),
  };
}

function isPortMapping(raw: unknown): raw is ServiceStatus['ports'][number] {
  return isObject(raw) && typeof raw.hostIp === 'string' && isCount(raw.hostPort) && isCount(raw.containerPort) && (raw.protocol === 'tcp' || raw.protocol === 'udp');
}

function isUnitIdentity(raw: unknown): raw is UnitIdentity {
  if (!isObject(raw)) return false;
  if (raw.kind === 'docker') return typeof raw.containerId === 'string';
  return (
    raw.kind === 'process' &&
    isCount(raw.pid) &&
    isCount(raw.pgid) &&
    typeof raw.startTime === 'string' &&
    (raw.bootId === undefined || typeof raw.bootId === 'string') &&
    (raw.runId === undefined || typeof raw.runId === 'string')
  );
}

// Its own fields only: nothing else of the file is carried along.
function unitIdentityOf(identity: UnitIdentity): UnitIdentity {
  if (identity.kind === 'docker') return {kind: 'docker', containerId: identity.containerId};
  const {pid, pgid, startTime, bootId, runId} = identity;
  return {kind: 'process', pid, pgid, startTime, ...(bootId !== undefined ? {bootId} : {}), ...(runId !== undefined ? {runId} : {})};
}

function failureRecordOf(f: FailureRecord): FailureRecord {
  return {service: f.service, message: f.message, lastLines: f.lastLines, ...(typeof f.suggestion === 'string' ? {suggestion: f.suggestion} : {}), ...(f.stopped === true ? {stopped: true} : {})};
}

function isFailureRecord(raw: unknown): raw is FailureRecord {
  return isObject(raw) && (raw.service === null || typeof raw.service === 'string') && typeof raw.message === 'string' && Array.isArray(raw.lastLines) && raw.lastLines.every(isString);
}

export function removeFile(file: string): void {
  rmSync(file, {force: true});
}

// `.sidecar/last-run.json`: what `ps` reports once `down` removed state.json.
export interface LastRunRecord {
  project: string;
  runtime: RuntimeKind;
  stoppedAt: number;
  // Services that had started (a silent one leaves no log file to tell).
  ran: string[];
  // The named volumes a `down --volumes` removed with the stack (bin/down.sh prints them).
  volumesRemoved?: string[];
}

export const readLastRunRecord = (file: string): LastRunRecord | undefined => readJson<LastRunRecord>(file);

// Before state.json goes: the runtime it names is the one the stack last ran with.
export function rememberLastRun(state: StateRecord | undefined, file: string, now = Date.now(), volumesRemoved?: string[]): void {
  if (!state) return;
  const ran = state.services.filter((s) => s.state !== 'pending').map((s) => s.name);
  writeJsonAtomic(file, {project: state.project, runtime: state.runtime, stoppedAt: now, ran, ...(volumesRemoved ? {volumesRemoved} : {})} satisfies LastRunRecord);
}

// After a `down` that stopped the stack: state.json becomes last-run.json (for
// `ps`), and the manifest handed to the supervisor goes. Only by whoever holds the
// project (the supervisor before it exits, or `down` under the lock): a new `up`
// may otherwise have written these files already. Returns what state.json held.
export function forgetStoppedStack(files: {state: string; manifest: string; lastRun: string}, volumesRemoved?: string[]): StateRecord | undefined {
  const state = readStateRecord(files.state);
  rememberLastRun(state, files.lastRun, Date.now(), volumesRemoved);
  removeFile(files.state);
  removeFile(files.manifest);
  return state;
}
