import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {SidecarError, type Problem} from '../errors/index.js';
import {interpolationEnv} from '../manifest/interpolate.js';
import {loadManifest} from '../manifest/load.js';

// Runs the real manifest pipeline on text before it is written, from where it
// will live (same directory, so `.env` and the default project name match; or
// a stand-in directory of the same name when the project does not exist yet).
// A variable the user must still provide (`${JWT_SECRET:?...}`) is not a
// reason to refuse: it is checked with a stand-in value and returned as a warning.
// `needed` names more such variables (an imported port `${API_PORT}:3000`).
export async function validateManifestText(text: string, file: string, what: string, alreadyWarned: string[] = [], needed: string[] = []): Promise<string[]> {
  const dir = path.dirname(file);
  const scratch = existsSync(dir) ? undefined : mkdtempSync(path.join(os.tmpdir(), 'sidecar-scaffold-'));
  const probeDir = scratch ? path.join(scratch, path.basename(dir)) : dir;
  const probe = path.join(probeDir, `.${path.basename(file)}.${process.pid}.check.yaml`);
  try {
    if (scratch) {
      mkdirSync(probeDir);
    }
    writeFileSync(probe, text, {flag: 'wx', mode: 0o600});
    const {env, missing} = lenientEnv(text, probe, needed);
    await loadManifest(probe, {env});
    return missing.filter((name) => !alreadyWarned.includes(name)).map((name) => `${name} is required by ${path.basename(file)}: set it in the environment or in .env beside it before \`sidecar up\``);
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

// The environment to check a manifest with: the real one, plus a stand-in for
// each required variable that neither it nor the `.env` beside the file sets.
export function lenientEnv(text: string, file: string, needed: string[] = []): {env: NodeJS.ProcessEnv; missing: string[]} {
  const known = interpolationEnv(file);
  const missing = [...new Set([...requiredVariables(text), ...needed])].filter((name) => !known[name]);
  return {env: {...process.env, ...Object.fromEntries(missing.map((name) => [name, '1']))}, missing};
}

// Names used as `${NAME:?message}` or `${NAME?message}` (Compose's required form).
export function requiredVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((match) => match[1]!))];
}
