import type {Manifest} from '../manifest/types.js';
import type {UnitIdentity} from '../runtime/types.js';
import {readJson, readStateRecord, readSupervisorRecord, removeFile} from './state-file.js';
import {isRecordedProcess} from '../runtime/process/process-start-time.js';
import type {ProjectFiles} from './project-files.js';
import {createRuntime} from '../runtime/resolve-runtime.js';
import {removeSocket} from './socket-path.js';

export interface ReapResult {
  // The dead (or hung) supervisor's pid, if one was recorded.
  supervisorPid?: number;
  reaped: UnitIdentity[];
}

// Issue 3 point 7: after the supervisor died (SIGKILL, OOM, reboot of the laptop
// lid...), stop every survivor recorded in state.json, identity-checked by the
// runtime, and forget the dead supervisor. Logs stay for a post-mortem.
export async function reapLeftovers(files: ProjectFiles, loadManifest: (file: string) => Promise<Manifest>, options: {volumes: boolean}): Promise<ReapResult> {
  const record = readSupervisorRecord(files.supervisor);
  // A supervisor that is alive but does not answer is hung: end it first, but only when
  // pid, start time and boot all match the record (issue 9.2: never kill by pid alone).
  if (record && record.pid !== process.pid && isRecordedProcess(record.pid, record.startTime, record.bootId)) {
    try {
      process.kill(record.pid, 'SIGKILL');
    } catch {
      // Gone in between: fine.
    }
  }
  const state = readStateRecord(files.state);
  let reaped: UnitIdentity[] = [];
  const manifestFile = state?.manifestFile ?? record?.manifestFile;
  // The runtime waits on unref'd timers; in a bare CLI process nothing else keeps Node alive.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    if (state && manifestFile) {
      // The manifest the stack was started with, if `up -d` left it; else the file as it is now.
      const manifest = readJson<Manifest>(files.manifest) ?? (await loadManifest(manifestFile));
      const runtime = await createRuntime(state.runtime);
      const known = [...(state.identities ?? []), ...state.services.flatMap((s) => (s.identity ? [s.identity] : []))];
      reaped = await runtime.reap(manifest, known, state.runId ? {runIds: [state.runId]} : {});
      await runtime.teardown(manifest, {removeVolumes: options.volumes});
    }
  } finally {
    clearInterval(keepAlive);
  }
  removeFile(files.supervisor);
  removeFile(files.manifest);
  // A recorded path is removed only if it is a socket we own: a stale or forged record must not delete a file of the user's.
  if (typeof record?.socket === 'string') removeSocket(record.socket, files);
  removeSocket(files.socket, files);
  return {...(record ? {supervisorPid: record.pid} : {}), reaped};
}
