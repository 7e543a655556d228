import {createHash} from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

// Unix socket paths are limited to 108 bytes including the NUL (sun_path on Linux).
const MAX_SOCKET_PATH_BYTES = 100;

// Everything a stack keeps on disk lives under `<project dir>/.sidecar/`, so two
// projects in two directories never share a file, a socket or a log.
export interface ProjectFiles {
  dir: string;
  root: string;
  logs: string;
  supervisor: string;
  state: string;
  supervisorLog: string;
  // The manifest as loaded by `up` (JSON), handed to the detached supervisor and used by crash recovery.
  manifest: string;
  socket: string;
}

export function projectFiles(projectDir: string): ProjectFiles {
  const dir = path.resolve(projectDir);
  const root = path.join(dir, '.sidecar');
  return {
    dir,
    root,
    logs: path.join(root, 'logs'),
    supervisor: path.join(root, 'supervisor.json'),
    state: path.join(root, 'state.json'),
    supervisorLog: path.join(root, 'supervisor.log'),
    manifest: path.join(root, 'manifest.json'),
    socket: socketPathFor(dir, root, os.tmpdir()),
  };
}

// `.sidecar/control.sock` unless too long for a unix socket; then a short path in
// the temp dir named by a hash of the project dir (recorded in supervisor.json).
export function socketPathFor(dir: string, root: string, tmpdir: string): string {
  const preferred = path.join(root, 'control.sock');
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) return preferred;
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 16);
  return path.join(tmpdir, `sidecar-${hash}.sock`);
}
