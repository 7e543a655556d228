import {statSync} from 'node:fs';
import path from 'node:path';
import {Scalar, visit} from 'yaml';
import type {Problem} from '../errors/index.js';
import {readEnvFile, type EnvFileRead} from './dotenv.js';
import {invalid} from './parse.js';
import {interpolateString} from './interpolate-string.js';
import {chainPath, pathToString, placeAtOffset, type ManifestSource} from './source.js';

// Where an interpolated value came from: the expression as written and the
// variables it read, so a value that is still wrong later names its variable.
export interface InterpolationOrigin {
  expression: string;
  value: string;
  variables: {name: string; value: string | undefined}[];
}

export interface InterpolationOutcome {
  problems: Problem[];
  // Variables used but set nowhere (substituted with "", as Compose does).
  unset: string[];
  // By manifest path (`app.health.http.port`, `app.ports[0]`).
  origins: Map<string, InterpolationOrigin>;
}

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

// Stage 2: substitute variables in every scalar value, in place, before
// validation. Keys are not interpolated. Values stay strings whatever the YAML
// style; the cast stage (cast.ts) gives each the type of its field, as Compose does.
export function interpolate(source: ManifestSource, env: Record<string, string>): InterpolationOutcome {
  const problems: Problem[] = [];
  const unset = new Set<string>();
  const origins = new Map<string, InterpolationOrigin>();
  const lookup = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);
  const indexes = new WeakMap<object, Map<unknown, number>>();
  visit(source.doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const original = node.value;
      const result = interpolateString(original, lookup);
      for (const name of result.unset) unset.add(name);
      if (result.value === original && result.issues.length === 0) return;
      const at = chainPath([...ancestors, node], indexes);
      const start = node.range?.[0] ?? 0;
      const quoteOffset = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
      const singleLine = node.type === Scalar.PLAIN || quoteOffset === 1;
      for (const issue of result.issues) {
        const offset = singleLine && !original.includes('\n') ? start + quoteOffset + issue.index : start;
        problems.push({message: issue.message, suggestion: issue.suggestion, place: placeAtOffset(source, offset, at)});
      }
      if (result.used.length > 0) {
        origins.set(pathToString(at), {expression: original, value: result.value, variables: result.used.map((name) => ({name, value: lookup(name)}))});
      }
      node.value = result.value;
    },
  });
  return {problems, unset: [...unset].sort(), origins};
}
