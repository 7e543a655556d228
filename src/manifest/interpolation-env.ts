import {statSync} from 'node:fs';
import path from 'node:path';
import {readEnvFile, type EnvFileRead} from './dotenv.js';
import {invalid} from './invalid.js';

export interface InterpolationEnv {
  values: Record<string, string>;
  // Variables a `.env` value used while unset (substituted with "").
  unset: string[];
  // Variables of the environment the `.env` values looked up, with what they gave.
  looked: Record<string, string | null>;
}

// The environment interpolation reads: the process environment wins over a
// `.env` beside the manifest, as in Compose, whose values are themselves
// interpolated from the environment and the keys above them (dotenv.ts). A
// `.env` that is there but is not a readable regular file of at most 1 MB, or
// holds a line that is not KEY=VALUE, is an invalid manifest at its line (issue 9.9).
export function interpolationEnv(manifestPath: string, env: NodeJS.ProcessEnv = process.env, displayPath = manifestPath): Record<string, string> {
  return readInterpolationEnv(manifestPath, env, displayPath).values;
}

export function readInterpolationEnv(manifestPath: string, env: NodeJS.ProcessEnv = process.env, displayPath = manifestPath): InterpolationEnv {
  const display = path.join(path.dirname(displayPath), '.env');
  const file = path.join(path.dirname(manifestPath), '.env');
  // A `.env` directory is a Python virtualenv, not ours: as good as no file.
  const read: EnvFileRead = isDirectory(file) ? {ok: false, missing: true, message: '', suggestion: '', line: 1, column: 1} : readEnvFile(file, display, (name) => env[name]);
  if (!read.ok && !read.missing) throw invalid([{message: read.message, place: {file: display, line: read.line, column: read.column, path: ''}, suggestion: read.suggestion}], displayPath);
  if (read.ok && read.problems.length > 0) throw invalid(read.problems.map((problem) => ({message: problem.message, place: {file: display, line: problem.line, column: problem.column, path: ''}, suggestion: problem.suggestion})), displayPath);
  const out: Record<string, string> = read.ok ? {...read.values} : {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return {values: out, unset: read.ok ? read.unset : [], looked: read.ok ? read.looked : {}};
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
