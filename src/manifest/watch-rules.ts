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

// Rules that only the runtime can judge. Under Docker a `sync` needs a `target`
// (where in the container the files go); the process runtime reads files in
// place, so there the same rule is fine and does nothing.
export function watchRuntimeProblems(source: ManifestSource, manifest: Manifest, runtime: string): Problem[] {
  if (runtime !== 'docker') return [];
  const problems: Problem[] = [];
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
