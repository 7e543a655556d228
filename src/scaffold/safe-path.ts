import {lstatSync, realpathSync} from 'node:fs';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';

// A DIR argument: absolute paths are a deliberate choice and allowed, but a
// `..` segment is how traversal hides in scripted input, so it is refused.
export function resolveTargetDir(dir: string, cwd: string = process.cwd()): string {
  // An empty DIR is not the current directory (found by a new user's trial: `new
  // http-proxy ""` wrote 26 files into the non-empty current directory).
  if (dir.trim() === '') {
    throw new SidecarError('SIDECAR_USAGE', `the directory is empty (${JSON.stringify(dir)})`, {
      suggestion: 'name the directory to write, e.g. my-proxy; for the current directory, write .',
    });
  }
  if (dir.split(/[/\\]/).includes('..')) {
    throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `directory "${dir}" climbs out with ".."`, {
      suggestion: 'name a directory below the current one, or give an absolute path',
    });
  }
  const target = path.resolve(cwd, dir);
  // A relative DIR is checked from the cwd down, an absolute one from `/`.
  refuseSymlinkOnTheWay(path.isAbsolute(dir) ? path.parse(target).root : path.resolve(cwd), target);
  return target;
}

// Issue 9.7: a target that is a symlink (or sits below one) would be written
// through, into wherever the link points. Refused like any other symlink on
// the way (git clone and cargo new refuse an existing link too), naming the
// real directory so the user can pass it deliberately.
function refuseSymlinkOnTheWay(start: string, target: string): void {
  let current = start;
  for (const part of path.relative(start, target).split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    let stats;
    try {
      stats = lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (!stats.isSymbolicLink()) continue;
    let real: string | undefined;
    try {
      real = realpathSync(current);
    } catch {
      real = undefined;
    }
    throw new SidecarError('SIDECAR_SCAFFOLD_CONFLICT', `${current} is a symbolic link${real ? ` to ${real}` : ' that points nowhere'}; sidecar never scaffolds through one, so nothing was written`, {
      suggestion: real ? `if that is where the project belongs, give the real directory: ${path.join(real, path.relative(current, target))}` : 'remove the link, or give a real directory',
    });
  }
}

// The absolute destination of a relative path, which must stay inside root.
export function resolveInside(root: string, relative: string): string {
  const resolved = path.resolve(root, relative);
  if (path.isAbsolute(relative) || !isInside(root, resolved)) {
    throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `"${relative}" would be written outside ${root}`, {
      suggestion: 'this is a template or name problem; sidecar never writes outside the target directory',
    });
  }
  return resolved;
}

export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(candidate));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

export type Destination =
  | {state: 'absent'}
  | {state: 'file'}
  // Something that makes writing unsafe or impossible whatever --force says.
  | {state: 'blocked'; reason: string; at: string};

// What is at a destination, checked component by component with lstat below
// root, so a symlink anywhere on the way (pointing who knows where) is seen
// and never followed.
export function inspectDestination(root: string, destination: string): Destination {
  const parts = path.relative(root, destination).split(path.sep);
  let current = root;
  for (const [index, part] of parts.entries()) {
    current = path.join(current, part);
    const last = index === parts.length - 1;
    let stats;
    try {
      stats = lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {state: 'absent'};
      throw error;
    }
    if (stats.isSymbolicLink()) return {state: 'blocked', reason: 'is a symbolic link (sidecar never writes through one)', at: current};
    if (!last && !stats.isDirectory()) return {state: 'blocked', reason: 'is a file where a directory is needed', at: current};
    if (last) return stats.isFile() ? {state: 'file'} : {state: 'blocked', reason: 'exists and is not a regular file', at: current};
  }
  return {state: 'absent'};
}
