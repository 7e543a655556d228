import {lstatSync, readlinkSync, realpathSync} from 'node:fs';
import path from 'node:path';
import type {Problem} from '../errors/index.js';
import {basePath} from './graph.js';
import {problemAt, type ManifestSource, type PathSegment} from './source.js';
import {allServices, type Manifest, type WatchAction, type WatchRule} from './types.js';

type At = (p: PathSegment[], message: string, suggestion: string) => void;

// Schema-valid `watch:` items -> rules with absolute paths. A path that leaves the
// project is refused: the watcher would follow the user's whole home directory
// and Compose's develop.watch refuses the same (paths are relative to the project).
export function watchRules(raw: unknown, dir: string, base: PathSegment[], at: At): WatchRule[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item: unknown, index): WatchRule[] => {
    if (item === null || typeof item !== 'object') return [];
    const rule = item as {path: string; action: WatchAction; target?: string; ignore?: string[]};
    const absolute = path.resolve(dir, rule.path);
    const relative = path.relative(dir, absolute);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      at([...base, index, 'path'], `watch path "${rule.path}" is outside the project (${dir})`, 'watch a file or directory under the manifest\'s directory, e.g. ./src');
      return [];
    }
    return [{path: absolute, action: rule.action, ignore: rule.ignore ?? [], ...(rule.target !== undefined ? {target: rule.target} : {})}];
  });
}

// Where a path leads on the file system, every symbolic link followed, also for a
// path that does not exist yet (the part that exists is resolved, the rest joined)
// and for a dangling link (its target resolved the same way). Undefined for a
// loop of links.
export function resolvedPath(absolute: string, hops = 0): string | undefined {
  if (hops > 40) return undefined;
  try {
    return realpathSync(absolute);
  } catch {
    // Missing, dangling, a loop, or unreadable: resolved part by part below.
  }
  const parent = path.dirname(absolute);
  if (parent === absolute) return absolute;
  const realParent = resolvedPath(parent, hops + 1);
  if (realParent === undefined) return undefined;
  try {
    if (lstatSync(absolute).isSymbolicLink()) return resolvedPath(path.resolve(realParent, readlinkSync(absolute)), hops + 1);
  } catch {
    // Not there (yet): it would be made in the resolved parent.
  }
  return path.join(realParent, path.basename(absolute));
}

// True when `absolute` is `dir` or lies under it (both as given: no link is resolved).
export function isWithin(absolute: string, dir: string): boolean {
  const relative = path.relative(dir, absolute);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

// Found by a new user's trial: `path: ./out`, `out` a link to a directory outside
// the project, passed the textual check and `up --watch` copied the files behind
// it into the container. A sync rule's path is refused when it leads outside the
// project once its links are followed, as `../` is (the rule never to follow a
// link out of the project). Only sync copies files: a restart or rebuild rule
// reads nothing into a container. Run by `validate` (with the path checks) and by
// `up --watch` (the load cache keeps no file system check).
export function watchLinkProblems(source: ManifestSource, manifest: Manifest): Problem[] {
  const problems: Problem[] = [];
  const project = resolvedPath(manifest.dir);
  for (const service of allServices(manifest)) {
    service.watch.forEach((rule, index) => {
      if (rule.action !== 'sync' && rule.action !== 'sync+restart') return;
      const real = resolvedPath(rule.path);
      if (project !== undefined && real !== undefined && isWithin(real, project)) return;
      const shown = `./${path.relative(manifest.dir, rule.path)}`;
      problems.push(
        problemAt(
          source,
          [...basePath(service), 'watch', index, 'path'],
          `${service.id}: watch path "${shown}" leads outside the project through a symbolic link (to ${real ?? 'a loop of links'}); sync never follows a link out of the project`,
          'sync a real directory inside the project (move or copy the files into it), or use action: restart to only watch it',
        ),
      );
    });
  }
  return problems;
}

// Rules that only the runtime can judge. Under Docker a `sync` needs a `target`
// (where in the container the files go); the process runtime reads files in
// place, so there the same rule is fine and does nothing.
export function watchRuntimeProblems(source: ManifestSource, manifest: Manifest, runtime: string): Problem[] {
  const problems: Problem[] = watchLinkProblems(source, manifest);
  if (runtime !== 'docker') return problems;
  for (const service of allServices(manifest)) {
    service.watch.forEach((rule, index) => {
      if ((rule.action === 'sync' || rule.action === 'sync+restart') && rule.target === undefined) {
        problems.push(problemAt(source, [...basePath(service), 'watch', index], `${service.id}: watch rule "${rule.action}" of ${path.relative(manifest.dir, rule.path) || '.'} has no target; under Docker sync needs to know where the files go in the container`, 'add target: /path/in/container (e.g. target: /app/src), or use action: restart'));
      }
      // Compose's develop.watch refuses the same: an image is only rebuilt from a context.
      if (rule.action === 'rebuild' && service.build === undefined) {
        problems.push(problemAt(source, [...basePath(service), 'watch', index, 'action'], `${service.id}: watch rule "rebuild" of ${path.relative(manifest.dir, rule.path) || '.'}, but ${service.id} has no build: an image is only rebuilt from a build context`, 'add build: {context: .} to the service, or use action: restart'));
      }
    });
  }
  return problems;
}

// Services that have at least one rule: `up --watch` with none is a usage error.
export function watchedServices(manifest: Manifest): string[] {
  return allServices(manifest).filter((service) => service.watch.length > 0).map((service) => service.id);
}
