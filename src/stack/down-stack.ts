import {existsSync} from 'node:fs';
import {callControl} from '../supervisor/control/control-client.js';
import {assertStateTree} from '../runtime/safe-state-dir.js';
import {readStateRecord, removeFile} from '../supervisor/state-file.js';
import {findSupervisor} from './find-supervisor.js';
import type {ProjectFiles} from './project-files.js';
import {reapLeftovers} from './reap-leftovers.js';
import {waitForExit} from './wait-exit.js';

export interface DownResult {
  // What was found: a live supervisor that stopped the stack, leftovers of a dead one, or nothing.
  outcome: 'stopped' | 'reaped' | 'nothing';
  project?: string;
  supervisorPid?: number;
  reaped: number;
}

// `down`: ask the supervisor to stop in order and exit; if it is gone (SIGKILL),
// stop the survivors recorded in state.json, identity-checked. Removes the runtime
// files (supervisor.json, state.json, socket); keeps `.sidecar/logs` for a post-mortem.
export async function downStack(files: ProjectFiles, options: {timeoutMs?: number; volumes: boolean}): Promise<DownResult> {
  // Removes files and volumes only in a .sidecar/ with no symlink in it (issue 9.7).
  assertStateTree(files.dir);
  const live = await findSupervisor(files);
  if (live) {
    try {
      await callControl(live.socket, {method: 'down', volumes: options.volumes, ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {})});
      await waitForExit(live.hello.pid, live.record?.startTime, 2000);
      removeFile(files.state);
      removeFile(files.manifest);
      return {outcome: 'stopped', project: live.hello.project, supervisorPid: live.hello.pid, reaped: 0};
    } catch {
      // The supervisor died mid-way: fall through to the crash path.
    }
  }
  const state = readStateRecord(files.state);
  if (!state && !existsSync(files.supervisor)) return {outcome: 'nothing', reaped: 0};
  const {loadManifest} = await import('../manifest/load.js');
  const result = await reapLeftovers(files, loadManifest, {volumes: options.volumes});
  removeFile(files.state);
  return {
    outcome: state?.phase === 'done' && result.reaped.length === 0 ? 'nothing' : 'reaped',
    ...(state ? {project: state.project} : {}),
    ...(result.supervisorPid !== undefined ? {supervisorPid: result.supervisorPid} : {}),
    reaped: result.reaped.length,
  };
}
