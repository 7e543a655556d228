import path from 'node:path';

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
  // Where the control socket is bound when the path fits a unix socket; the
  // socket actually in use is the one supervisor.json records (socket-path.ts).
  socket: string;
  // The runtime the stack last ran with, left by `down` (which removes state.json) for `ps`.
  lastRun: string;
  // One stack per project directory: held by whoever hosts it (project-lock.ts).
  lock: string;
  // `down` from the shell (bin/down.sh) asks the supervisor through this file and a SIGTERM (down-request.ts).
  downRequest: string;
  // The pod's infra `up` is creating for its supervisor, from just before its
  // creation until the hand-over (src/runtime/docker/infra-head-start.ts).
  headStart: string;
  // The last full load of the manifest, with what it depends on (src/manifest/load-cache.ts).
  loadCache: string;
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
    socket: path.join(root, 'control.sock'),
    lock: path.join(root, 'lock'),
    lastRun: path.join(root, 'last-run.json'),
    downRequest: path.join(root, 'down.request'),
    headStart: path.join(root, 'infra-head-start.json'),
    loadCache: path.join(root, 'load-cache.json'),
  };
}
