import {statSync} from 'node:fs';
import path from 'node:path';
import type {Problem} from '../errors/index.js';
import {basePath} from './graph.js';
import {problemAt, type ManifestSource, type PathSegment} from './source.js';
import {allServices, type Manifest} from './types.js';
import {watchLinkProblems} from './watch-rules.js';

// Issue 8.6: a missing `workdir` surfaced at `up` as "the app completed with exit
// code 0", a missing build context only when Docker built. Both are manifest
// errors at their line, as Compose refuses a build context that does not exist.
export function missingPaths(source: ManifestSource, manifest: Manifest, data: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  for (const service of allServices(manifest)) {
    const base = basePath(service);
    const raw = rawService(data, base);
    if (raw.workdir !== undefined) checkDirectory(source, manifest, service.workdir, [...base, 'workdir'], 'workdir', problems);
    if (service.process.workdir !== undefined) checkDirectory(source, manifest, service.process.workdir, [...base, 'process', 'workdir'], 'process.workdir', problems);
    if (service.build) checkDirectory(source, manifest, service.build.context, typeof raw.build === 'string' ? [...base, 'build'] : [...base, 'build', 'context'], 'build context', problems);
  }
  // A sync path that a symbolic link leads out of the project.
  problems.push(...watchLinkProblems(source, manifest));
  return problems;
}

function checkDirectory(source: ManifestSource, manifest: Manifest, absolute: string, at: PathSegment[], what: string, problems: Problem[]): void {
  const shown = path.relative(manifest.dir, absolute) || '.';
  const relative = shown.startsWith('..') || path.isAbsolute(shown) ? absolute : `./${shown}`;
  let kind: 'missing' | 'file' | undefined;
  try {
    kind = statSync(absolute).isDirectory() ? undefined : 'file';
  } catch {
    kind = 'missing';
  }
  if (kind === 'missing') problems.push(problemAt(source, at, `${what} ${relative} does not exist`, `create it (mkdir -p ${relative}) or fix the path; it is relative to the manifest's directory`));
  else if (kind === 'file') problems.push(problemAt(source, at, `${what} ${relative} is a file, not a directory`, `point ${what} at the directory that holds it`));
}

// The service as written (to tell `workdir:` given from the default, and the build's short form).
function rawService(data: Record<string, unknown>, base: PathSegment[]): {workdir?: unknown; build?: unknown} {
  let node: unknown = data;
  for (const segment of base) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(segment)] : undefined;
  return (node && typeof node === 'object' ? node : {}) as {workdir?: unknown; build?: unknown};
}
