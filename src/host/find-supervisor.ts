import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import {sanitizeDeep} from '../output/sanitize-terminal.js';
import {callControl, isNotListening, notResponding} from './control/control-client.js';
import type {HelloResult} from './control/protocol.js';
import {readStateRecord, readSupervisorRecord, type SupervisorRecord} from './state-file.js';
import {isAlive, readLockOwner} from './project-lock.js';
import {isSameProcess} from '../runtime/process/process-start-time.js';
import {projectFiles, type ProjectFiles} from './project-files.js';
import {checkManifestPath} from '../manifest/manifest-path.js';
import {checkProcessOwner, checkSocketTrust, untrusted} from './socket-trust.js';

export interface LiveSupervisor {
  socket: string;
  hello: HelloResult;
  record: SupervisorRecord;
}

// `hello` is answered at once by a supervisor that runs; silence this long means stopped or busy.
export const HELLO_SILENCE_MS = 5000;

// The project of a command is the directory of its manifest; commands that only
// talk to a running stack do not need the manifest to parse.
export function filesFor(manifestFile: string): ProjectFiles {
  checkManifestPath(manifestFile);
  return projectFiles(path.dirname(path.resolve(manifestFile)));
}

export function supervisorPeer(pid: number): string {
  return `the supervisor (pid ${pid})`;
}

// The supervisor of this project, if one runs and answers. Nothing is sent to a
// socket before it is known to be ours (issue 9.1): supervisor.json names the
// host (pid + start time, alive, ours) and its socket (ours, in a directory no
// one else can write); the `hello` answer must come from that same pid.
// Throws SIDECAR_NOT_RESPONDING when it is alive but silent (issue 9.3) and
// SIDECAR_SOCKET_UNTRUSTED when something there is not ours.
// The state tree is checked by the commands before (assertStateTree: prepare-up.ts,
// lean-down.ts, stack-lookup.ts, ps-stack.ts), once, not on every look here.
export async function findSupervisor(files: ProjectFiles): Promise<LiveSupervisor | undefined> {
  const written = readSupervisorRecord(files.supervisor);
  // A dead host (or its pid reused by another process) left this record: leftovers, not a supervisor.
  const live = written && typeof written.socket === 'string' && typeof written.pid === 'number' && isSameProcess(written.pid, written.startTime) ? written : undefined;
  const fromLock = live ? undefined : recordFromLock(files);
  const record = live ?? fromLock;
  if (!record) return undefined;
  checkSocketTrust(record.socket, files);
  checkProcessOwner(record.pid);
  const peer = supervisorPeer(record.pid);
  let hello: HelloResult;
  try {
    hello = await callControl<HelloResult>(record.socket, {method: 'hello'}, {connectTimeoutMs: HELLO_SILENCE_MS, silenceTimeoutMs: HELLO_SILENCE_MS, peer});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ETIMEDOUT_CONNECT') throw notResponding(peer, HELLO_SILENCE_MS);
    // Alive but no longer listening: it is closing down (the record goes last).
    if (isNotListening(error) || (error instanceof SidecarError && error.code === 'SIDECAR_NOT_RUNNING')) return undefined;
    throw error;
  }
  // The lock is a hint: another host may hold the socket while the lock changes hands.
  if (hello.pid !== record.pid && fromLock) return undefined;
  if (hello.pid !== record.pid) throw untrusted(`the control socket ${record.socket} answers as pid ${hello.pid}, not as the recorded supervisor (pid ${record.pid})`);
  // Its project name ends up in messages: nothing in it may drive the terminal.
  return {socket: record.socket, hello: sanitizeDeep(hello), record};
}

// supervisor.json gone, unreadable or naming a process that is gone, while the
// project's lock names a live detached supervisor of ours (found by a new user's trial: with the
// record removed, `ps` said "no supervisor running" and `down` waited 30 s for the
// lock, then failed): that host, at the project's own socket path, answering
// `hello` as that pid (checked as for the record). A socket bound in a private
// directory (a project path too long for one) cannot be found this way.
function recordFromLock(files: ProjectFiles): SupervisorRecord | undefined {
  const owner = readLockOwner(files.lock);
  // Only a detached supervisor holds the lock for the stack's life; an `up` holds it
  // while it hands the stack over (its supervisor may answer the socket already).
  if (typeof owner !== 'object' || owner.role !== 'supervisor' || !isAlive(owner)) return undefined;
  return {
    pid: owner.pid,
    startTime: owner.startTime,
    ...(owner.bootId ? {bootId: owner.bootId} : {}),
    socket: files.socket,
    project: '',
    runtime: 'process',
    manifestFile: readStateRecord(files.state)?.manifestFile || path.join(files.dir, 'sidecar.yaml'),
    startedAt: owner.since,
    detached: true,
  };
}

export async function requireSupervisor(files: ProjectFiles): Promise<LiveSupervisor> {
  const live = await findSupervisor(files);
  if (!live) {
    throw new SidecarError('SIDECAR_NOT_RUNNING', `no stack is running in ${files.dir}`, {suggestion: 'start it with `sidecar up -d` (or `sidecar up` in another terminal)'});
  }
  return live;
}
