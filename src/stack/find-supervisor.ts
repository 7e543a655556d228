import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import {callControl} from '../supervisor/control/control-client.js';
import type {HelloResult} from '../supervisor/control/protocol.js';
import {readSupervisorRecord, type SupervisorRecord} from '../supervisor/state-file.js';
import {projectFiles, type ProjectFiles} from './project-files.js';

export interface LiveSupervisor {
  socket: string;
  hello: HelloResult;
  record?: SupervisorRecord;
}

// The project of a command is the directory of its manifest; commands that only
// talk to a running stack do not need the manifest to parse.
export function filesFor(manifestFile: string): ProjectFiles {
  return projectFiles(path.dirname(path.resolve(manifestFile)));
}

// The supervisor of this project, if one answers on its socket.
export async function findSupervisor(files: ProjectFiles): Promise<LiveSupervisor | undefined> {
  const record = readSupervisorRecord(files.supervisor);
  const socket = record?.socket ?? files.socket;
  try {
    const hello = await callControl<HelloResult>(socket, {method: 'hello'}, {connectTimeoutMs: 2000});
    return {socket, hello, ...(record ? {record} : {})};
  } catch {
    return undefined;
  }
}

export async function requireSupervisor(files: ProjectFiles): Promise<LiveSupervisor> {
  const live = await findSupervisor(files);
  if (!live) {
    throw new SidecarError('SIDECAR_NOT_RUNNING', `no stack is running in ${files.dir}`, {suggestion: 'start it with `sidecar up -d` (or `sidecar up` in another terminal)'});
  }
  return live;
}
