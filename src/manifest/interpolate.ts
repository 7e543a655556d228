import path from 'node:path';
import {Scalar, isPair, isScalar, isSeq, parseDocument, visit} from 'yaml';
import type {Problem} from '../errors/index.js';
import {readEnvFile} from './dotenv.js';
import {invalid} from './parse.js';
import {interpolateString} from './interpolate-string.js';
import {placeAtOffset, type ManifestSource, type PathSegment} from './source.js';

export interface InterpolationOutcome {
  problems: Problem[];
  // Variables used but set nowhere (substituted with "", as Compose does).
  unset: string[];
}

// The environment interpolation reads: the process environment wins over a
// `.env` beside the manifest, as in Compose. A `.env` that is there but is not a
// readable regular file of at most 1 MB is an invalid manifest (issue 9.9).
export function interpolationEnv(manifestPath: string, env: NodeJS.ProcessEnv = process.env, displayPath = manifestPath): Record<string, string> {
  const display = path.join(path.dirname(displayPath), '.env');
  const read = readEnvFile(path.join(path.dirname(manifestPath), '.env'), display);
  if (!read.ok && !read.missing) throw invalid([{message: read.message, place: {file: display, line: read.line, column: read.column, path: ''}, suggestion: read.suggestion}]);
  const out: Record<string, string> = read.ok ? {...read.values} : {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

// Stage 2: substitute variables in every scalar value, in place, before
// validation (so `port: ${APP_PORT}` becomes a number). Keys are not interpolated.
export function interpolate(source: ManifestSource, env: Record<string, string>): InterpolationOutcome {
  const problems: Problem[] = [];
  const unset = new Set<string>();
  const lookup = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);
  visit(source.doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const original = node.value;
      const result = interpolateString(original, lookup);
      for (const name of result.unset) unset.add(name);
      const start = node.range?.[0] ?? 0;
      const quoteOffset = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
      const singleLine = node.type === Scalar.PLAIN || quoteOffset === 1;
      for (const issue of result.issues) {
        const offset = singleLine && !original.includes('\n') ? start + quoteOffset + issue.index : start;
        problems.push({message: issue.message, suggestion: issue.suggestion, place: placeAtOffset(source, offset, yamlPath([...ancestors, node]))});
      }
      if (result.value === original) return;
      node.value = node.type === Scalar.PLAIN ? retype(result.value) : result.value;
    },
  });
  return {problems, unset: [...unset].sort()};
}

// A plain scalar is typed after substitution, as if the value had been written there.
function retype(value: string): unknown {
  if (value === '' || /[\n:#{}[\],&*!|>'"%@`]/.test(value)) return value;
  const parsed = parseDocument(value).toJS() as unknown;
  return typeof parsed === 'number' || typeof parsed === 'boolean' ? parsed : value;
}

function yamlPath(chain: readonly unknown[]): PathSegment[] {
  const out: PathSegment[] = [];
  chain.forEach((node, i) => {
    if (isPair(node)) out.push(isScalar(node.key) ? String(node.key.value) : '?');
    else if (isSeq(node)) {
      const index = node.items.indexOf(chain[i + 1] as never);
      if (index >= 0) out.push(index);
    }
  });
  return out;
}
