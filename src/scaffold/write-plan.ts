import {mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import type {PlannedFile} from './file-plan.js';
import {assertPlanWritable} from './plan-check.js';
import {inspectDestination, resolveInside} from './safe-path.js';

// Writes a whole plan after checking every destination first. A file is
// written to a temporary sibling and renamed into place, so a reader never
// sees half a file and a rename replaces (never follows) what is there.
export function writePlan(root: string, files: PlannedFile[], options: {force: boolean}): string[] {
  assertPlanWritable(root, files, options.force);
  const created: string[] = [];
  try {
    for (const file of files) {
      const destination = resolveInside(root, file.path);
      const existed = inspectDestination(root, destination).state === 'file';
      mkdirSync(path.dirname(destination), {recursive: true});
      writeFileAtomic(destination, file.content, file.mode);
      if (!existed) created.push(destination);
    }
  } catch (error) {
    // Best effort: take back the files this call created so a failure halfway leaves no half project.
    for (const file of created) rmSync(file, {force: true});
    throw error;
  }
  return files.map((file) => file.path);
}

export function writeFileAtomic(destination: string, content: Buffer | string, mode = 0o644): void {
  const temp = path.join(path.dirname(destination), `.${path.basename(destination)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    writeFileSync(temp, content, {flag: 'wx', mode});
    renameSync(temp, destination);
  } catch (error) {
    rmSync(temp, {force: true});
    throw error;
  }
}
