import {statSync} from 'node:fs';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import type {PlannedFile} from './file-plan.js';
import {inspectDestination, resolveInside} from './safe-path.js';

export interface PlanProblems {
  // Existing files a `create` would replace: allowed with --force.
  conflicts: string[];
  // Symlinks and non-files on the way: refused whatever --force says.
  blocked: string[];
}

// Every destination is checked before anything is written (all or nothing).
export function checkPlan(root: string, files: PlannedFile[], force: boolean): PlanProblems {
  const problems: PlanProblems = {conflicts: [], blocked: []};
  const rootStats = statOrUndefined(root);
  if (rootStats && !rootStats.isDirectory()) {
    problems.blocked.push(`${root} exists and is not a directory`);
    return problems;
  }
  const seen = new Set<string>();
  for (const file of files) {
    const destination = resolveInside(root, file.path);
    if (seen.has(destination)) throw new Error(`scaffold plan writes ${file.path} twice`);
    seen.add(destination);
    const found = inspectDestination(root, destination);
    if (found.state === 'blocked') problems.blocked.push(`${path.relative(root, found.at) || found.at} ${found.reason}`);
    else if (found.state === 'file' && file.action === 'create' && !force) problems.conflicts.push(file.path);
  }
  problems.blocked = [...new Set(problems.blocked)];
  return problems;
}

export function assertPlanWritable(root: string, files: PlannedFile[], force: boolean): void {
  const {conflicts, blocked} = checkPlan(root, files, force);
  if (blocked.length > 0) {
    throw new SidecarError('SIDECAR_SCAFFOLD_CONFLICT', `cannot write into ${root}; nothing was written:\n${blocked.map((line) => `  ${line}`).join('\n')}`, {
      suggestion: 'remove the symbolic links or files in the way, or choose another directory (--force does not override this)',
    });
  }
  if (conflicts.length > 0) {
    throw new SidecarError('SIDECAR_SCAFFOLD_CONFLICT', `${conflicts.length} file${conflicts.length === 1 ? '' : 's'} already exist in ${root}; nothing was written:\n${conflicts.map((file) => `  ${file}`).join('\n')}`, {
      suggestion: 'use --force to overwrite them, or choose another directory',
    });
  }
}

function statOrUndefined(file: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
