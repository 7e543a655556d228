import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {SidecarError, type Problem} from '../errors/index.js';
import {loadManifest} from '../manifest/load.js';

// Runs the real manifest pipeline on text before it is written, from where it
// will live (same directory, so `.env` and the default project name match; or
// a stand-in directory of the same name when the project does not exist yet).
export async function validateManifestText(text: string, file: string, what: string): Promise<void> {
  const dir = path.dirname(file);
  const scratch = existsSync(dir) ? undefined : mkdtempSync(path.join(os.tmpdir(), 'sidecar-scaffold-'));
  const probeDir = scratch ? path.join(scratch, path.basename(dir)) : dir;
  const probe = path.join(probeDir, `.${path.basename(file)}.${process.pid}.check.yaml`);
  try {
    if (scratch) {
      mkdirSync(probeDir);
    }
    writeFileSync(probe, text, {flag: 'wx', mode: 0o600});
    await loadManifest(probe);
  } catch (error) {
    if (error instanceof SidecarError && error.code === 'SIDECAR_MANIFEST_INVALID') {
      const problems: Problem[] = (error.problems.length > 0 ? error.problems : [{message: error.message}]).map((problem) => ({
        ...problem,
        ...(problem.place ? {place: {...problem.place, file}} : {}),
      }));
      throw new SidecarError('SIDECAR_SCAFFOLD_INVALID', `${what} would leave ${file} invalid, so nothing was written`, {
        suggestion: 'fix the manifest (`sidecar validate`) or report the template problem',
        problems,
        cause: error,
      });
    }
    throw error;
  } finally {
    rmSync(probe, {force: true});
    if (scratch) rmSync(scratch, {recursive: true, force: true});
  }
}
