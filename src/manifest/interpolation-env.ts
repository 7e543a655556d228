import {statSync} from 'node:fs';
import path from 'node:path';
import {readEnvFile, type EnvFileRead} from './dotenv.js';
import {invalid} from './invalid.js';

// The environment interpolation reads: the process environment wins over a
// `.env` beside the manifest, as in Compose. A `.env` that is there but is not a
// readable regular file of at most 1 MB is an invalid manifest (issue 9.9).
export function interpolationEnv(manifestPath: string, env: NodeJS.ProcessEnv = process.env, displayPath = manifestPath): Record<string, string> {
  const display = path.join(path.dirname(displayPath), '.env');
  const file = path.join(path.dirname(manifestPath), '.env');
  // A `.env` directory is a Python virtualenv, not ours: as good as no file.
  const read: EnvFileRead = isDirectory(file) ? {ok: false, missing: true, message: '', suggestion: '', line: 1, column: 1} : readEnvFile(file, display);
  if (!read.ok && !read.missing) throw invalid([{message: read.message, place: {file: display, line: read.line, column: read.column, path: ''}, suggestion: read.suggestion}]);
  const out: Record<string, string> = read.ok ? {...read.values} : {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

