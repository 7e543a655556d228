import {lstatSync, realpathSync, statSync, type Stats} from 'node:fs';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import type {ProjectFiles} from './project-files.js';

// Before a client sends anything (a manifest holds secrets) it checks that no
// other user could have put the socket there (issue 9.1): the directory is a
// real directory we own that others cannot write (a private one outside the
// project must also be closed to reading and symlink-free), and the socket is
// a socket we own. A missing socket is not an attack: nobody listens.
export function checkSocketTrust(socket: string, files: ProjectFiles): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const dir = path.dirname(socket);
  const inProject = dir === files.root;
  const dirStat = statOrUndefined(dir);
  if (!dirStat) return;
  if (dirStat.isSymbolicLink() || !dirStat.isDirectory()) throw untrusted(`${dir} (the control socket's directory) is not a plain directory`);
  if (dirStat.uid !== uid) throw untrusted(`${dir} (the control socket's directory) is not owned by you but by another user (uid ${dirStat.uid})`);
  // `.sidecar` is made 0700 before the socket is bound (safe-state-dir.ts); whoever can write there can replace the socket.
  const openTo = dirStat.mode & (inProject ? 0o022 : 0o077);
  if (openTo !== 0) throw untrusted(`${dir} (the control socket's directory) is open to another user (mode ${(dirStat.mode & 0o7777).toString(8)})`);
  if (!inProject && realpathSync(dir) !== dir) throw untrusted(`${dir} (the control socket's directory) is reached through a symlink`);
  const socketStat = statOrUndefined(socket);
  if (!socketStat) return;
  if (!socketStat.isSocket()) throw untrusted(`${socket} is not a socket`);
  if (socketStat.uid !== uid) throw untrusted(`${socket} is not owned by you but by another user (uid ${socketStat.uid})`);
}

// The recorded supervisor runs as us (Linux: the owner of /proc/<pid>).
export function checkProcessOwner(pid: number): void {
  const uid = process.getuid?.();
  if (uid === undefined || process.platform !== 'linux') return;
  let owner: number;
  try {
    owner = statSync(`/proc/${pid}`).uid;
  } catch {
    return;
  }
  if (owner !== uid) throw untrusted(`the recorded supervisor (pid ${pid}) is not owned by you but by another user (uid ${owner})`);
}

export function untrusted(what: string): SidecarError {
  return new SidecarError('SIDECAR_SOCKET_UNTRUSTED', `${what}: refusing to talk to it`, {
    suggestion: 'someone else may be impersonating the supervisor; check .sidecar/supervisor.json and the directory, then `sidecar down` (or remove .sidecar/supervisor.json if no stack runs)',
  });
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}
