import {Scalar, visit} from 'yaml';
import type {Problem} from '../errors/index.js';
import {interpolateString, type InterpolateOptions} from './interpolate-string.js';
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
  // Every variable looked up, with the value it had (null: not set): what the outcome depends on (load-cache.ts).
  looked: Record<string, string | null>;
  // By manifest path (`app.health.http.port`, `app.ports[0]`).
  origins: Map<string, InterpolationOrigin>;
}

export {interpolationEnv} from './interpolation-env.js';

// Stage 2: substitute variables in every scalar value, in place, before
// validation. Keys are not interpolated. Values stay strings whatever the YAML
// style; the cast stage (cast.ts) gives each the type of its field, as Compose does.
export function interpolate(source: ManifestSource, env: Record<string, string>, options: InterpolateOptions = {}): InterpolationOutcome {
  const problems: Problem[] = [];
  const unset = new Set<string>();
  const origins = new Map<string, InterpolationOrigin>();
  const looked: Record<string, string | null> = {};
  const lookup = (name: string) => {
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    looked[name] = value ?? null;
    return value;
  };
  const indexes = new WeakMap<object, Map<unknown, number>>();
  visit(source.doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const original = node.value;
      const result = interpolateString(original, lookup, options);
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
  return {problems, unset: [...unset].sort(), origins, looked};
}
