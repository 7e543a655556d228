import {chmodSync, constants, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, rmSync, type Stats} from 'node:fs';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';

// Issue 9.7: `.sidecar/` and what sidecar creates in it are ours alone. A symlink
// there (a symlinked `.sidecar`, `logs/x.log` or `volumes`) would send our writes
// and `down --volumes`' deletions outside the project, so every component is
// created or checked without following links, and we refuse (exit 2) to use one.

const STATE_DIR = '.sidecar';
// Directories of ours directly under `.sidecar/` whose entries are ours too.
const OWN_SUBDIRS = ['logs', 'volumes'];

// The fix said what sidecar "then creates" in the link's place, also for a name it
// never makes (`.sidecar/logs2`, found by a new user's trial). A link among the
// named volumes is most likely meant to share a directory: a bind mount does that.
export function symlinkRefusal(file: string): SidecarError {
  const volume = path.basename(path.dirname(file)) === 'volumes' && path.basename(path.dirname(path.dirname(file))) === STATE_DIR;
  return new SidecarError('SIDECAR_UNSAFE_PATH', `${file} is a symlink; sidecar does not write or delete through links in its state directory`, {
    suggestion: `remove the symlink (\`rm ${file}\`): sidecar makes what it needs in ${STATE_DIR}/ itself${volume ? `; to give services a directory of yours, mount it instead of the named volume (\`volumes: ["./dir:/path"]\`)` : ''}`,
  });
}

function notADirectory(dir: string): SidecarError {
  return new SidecarError('SIDECAR_UNSAFE_PATH', `${dir} is not a directory`, {suggestion: `move ${dir} away; sidecar keeps its state in a directory of that name`});
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// Creates base/parts... one component at a time (mkdir, then lstat to verify) and
// returns the path; refuses any component that is a symlink or not a directory.
// `base` (the project directory) is the user's and may itself be reached by a link.
export function ensureRealDir(base: string, parts: string[]): string {
  let dir = base;
  for (const part of parts) {
    dir = path.join(dir, part);
    try {
      mkdirSync(dir, {mode: 0o700});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) throw symlinkRefusal(dir);
    if (!stat.isDirectory()) throw notADirectory(dir);
    if (dir === path.join(base, STATE_DIR)) makePrivate(dir, stat);
  }
  return dir;
}

// Issue 9.1: `.sidecar` holds the control socket, so no other user may create or
// replace anything in it: it must be ours, mode 0700 (as systemd keeps a runtime
// directory). One made by another user first is refused; one of ours left open
// (made by hand, an old umask) is closed before anything is bound or written in it.
function makePrivate(dir: string, stat: Stats): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  if (stat.uid !== uid) {
    throw new SidecarError('SIDECAR_UNSAFE_PATH', `${dir} is owned by another user (uid ${stat.uid}); sidecar keeps its control socket and state only in a directory of yours`, {
      suggestion: `have ${dir} removed (its owner or an administrator), or run the project from a directory only you can write`,
    });
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

// Refuses a project whose `.sidecar`, or anything of ours directly in it or in its
// `logs/` (and a pod's `logs/<pod>/`) and `volumes/`, is a symlink. Creates nothing; a missing tree is fine.
export function assertStateTree(projectDir: string): void {
  const root = path.join(projectDir, STATE_DIR);
  const stat = lstatOrUndefined(root);
  if (!stat) return;
  if (stat.isSymbolicLink()) throw symlinkRefusal(root);
  if (!stat.isDirectory()) throw notADirectory(root);
  for (const entry of readdirSync(root, {withFileTypes: true})) {
    const file = path.join(root, entry.name);
    if (entry.isSymbolicLink()) throw symlinkRefusal(file);
    if (!OWN_SUBDIRS.includes(entry.name)) continue;
    if (!entry.isDirectory()) throw notADirectory(file);
    for (const inner of readdirSync(file, {withFileTypes: true})) {
      if (inner.isSymbolicLink()) throw symlinkRefusal(path.join(file, inner.name));
      // `logs/<pod>/<service>.log` (pods form): the files in a pod's log directory too.
      if (entry.name !== 'logs' || !inner.isDirectory()) continue;
      for (const log of readdirSync(path.join(file, inner.name), {withFileTypes: true})) {
        if (log.isSymbolicLink()) throw symlinkRefusal(path.join(file, inner.name, log.name));
      }
    }
  }
}

// rm -r of base/parts... only when every component is a real directory (or file) and
// the resolved target lies inside base's `.sidecar/`: never deletes outside it. The
// removal itself does not follow links found inside the tree (it unlinks them).
export function removeInsideStateDir(base: string, parts: string[]): void {
  let current = base;
  for (const part of parts) {
    current = path.join(current, part);
    const stat = lstatOrUndefined(current);
    if (!stat) return;
    if (stat.isSymbolicLink()) throw symlinkRefusal(current);
  }
  const root = realpathSync(path.join(base, STATE_DIR));
  const target = realpathSync(current);
  if (!target.startsWith(root + path.sep)) {
    throw new SidecarError('SIDECAR_UNSAFE_PATH', `refusing to delete ${current}: it resolves to ${target}, outside ${root}`, {suggestion: `remove ${current} by hand if it is really yours`});
  }
  rmSync(target, {recursive: true, force: true});
}

// Opens a file of ours for appending without following a symlink in its place.
export function openAppendNoFollow(file: string, mode = 0o600): number {
  try {
    return openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkRefusal(file);
    throw error;
  }
}
