import {lstatSync, mkdtempSync, realpathSync, rmdirSync, rmSync, type Stats} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import type {ProjectFiles} from './project-files.js';

// Unix socket paths are limited to 108 bytes including the NUL (sun_path on Linux).
export const MAX_SOCKET_PATH_BYTES = 100;

const PRIVATE_PREFIX = 'sidecar-';

// Where the host binds its control socket: `.sidecar/control.sock`, or when that
// is too long for a unix socket, a fresh private directory (mkdtemp: mode 0700,
// unpredictable name, created by us) under $XDG_RUNTIME_DIR or the temp dir,
// with a symlink-free path. Issue 9.1: a predictable /tmp path let another user
// bind it first; a directory only we can write cannot be squatted (systemd and
// containerd keep their sockets under a private runtime directory the same way).
export function socketPathToBind(files: ProjectFiles, env: NodeJS.ProcessEnv = process.env): string {
  if (Buffer.byteLength(files.socket) <= MAX_SOCKET_PATH_BYTES) return files.socket;
  for (const base of privateBases(env)) {
    const dir = mkdtempSync(path.join(base, PRIVATE_PREFIX));
    const socket = path.join(dir, 'control.sock');
    if (Buffer.byteLength(socket) <= MAX_SOCKET_PATH_BYTES && isPrivateDir(dir)) return socket;
    rmdirSync(dir);
  }
  throw new SidecarError('SIDECAR_UNEXPECTED', `no private directory with a path short enough for the control socket of ${files.dir}`, {
    suggestion: 'set TMPDIR (or XDG_RUNTIME_DIR) to a short directory, e.g. /tmp',
  });
}

// Removes the socket, and the private directory it was bound in; never anything
// else, whatever a (possibly tampered) supervisor.json names: only a socket we own.
export function removeSocket(socket: string, files: ProjectFiles): void {
  let stat: Stats | undefined;
  try {
    stat = lstatSync(socket);
  } catch {
    // Already gone: its private directory may still be there.
  }
  if (stat) {
    if (!stat.isSocket() || (process.getuid !== undefined && stat.uid !== process.getuid())) return;
    rmSync(socket, {force: true});
  }
  const dir = path.dirname(socket);
  if (dir === files.root || !path.basename(dir).startsWith(PRIVATE_PREFIX) || !isPrivateDir(dir)) return;
  try {
    rmdirSync(dir);
  } catch {
    // Not empty or already gone: not ours to force.
  }
}

// $XDG_RUNTIME_DIR when it is really ours (the spec promises 0700, we check),
// then the temp dir; both resolved so the socket path holds no symlink.
export function privateBases(env: NodeJS.ProcessEnv = process.env): string[] {
  const bases: string[] = [];
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir && path.isAbsolute(runtimeDir) && isPrivateDir(runtimeDir)) bases.push(realpathSync(runtimeDir));
  for (const tmp of [os.tmpdir(), '/tmp']) {
    try {
      const base = realpathSync(tmp);
      if (sharedSafely(base)) bases.push(base);
    } catch {
      // Missing: try the next one.
    }
  }
  return [...new Set(bases)];
}

// A temp dir is a base only when nobody else can rename what we make in it:
// ours or root's, and writable by others only with the sticky bit (/tmp's
// 1777). A TMPDIR another user may write (0777, no sticky bit) would let that
// user swap our private directory between our check and our use (found by a
// trial of the start gates, which share these bases with the control socket).
function sharedSafely(dir: string): boolean {
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) return false;
  return (stat.mode & 0o022) === 0 || (stat.mode & 0o1000) !== 0;
}

// A real directory (not a symlink), owned by us, that no one else can read or write.
export function isPrivateDir(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && (process.getuid === undefined || stat.uid === process.getuid()) && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
