import {visit} from 'yaml';
import type {Problem} from '../errors/index.js';
import {chainPath, placeAtOffset, type ManifestSource} from './source.js';

const NUL_FIX = 'remove it: a program argument, environment value, path or name cannot hold a NUL byte';

// Issue 9.12: a NUL (written "\0" in a double-quoted value, or raw, or coming
// from a variable) passed validate and failed at `up`, where no argv or environ
// entry can carry one (execve ends the string there). Checked after interpolation.
export function nulByteProblems(source: ManifestSource): Problem[] {
  const problems: Problem[] = [];
  const indexes = new WeakMap<object, Map<unknown, number>>();
  visit(source.doc, {
    Scalar(key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('\0')) return;
      const chain = [...ancestors, node];
      const at = chainPath(chain, indexes);
      const what = key === 'key' ? 'the key' : 'the value';
      problems.push({message: `${what} holds a NUL byte (\\0)`, place: placeAtOffset(source, node.range?.[0] ?? 0, at), suggestion: NUL_FIX});
    },
  });
  return problems;
}

// The same check for values read from env files, which have no place of their own.
export function nulInEnvFile(values: Record<string, string>): string | undefined {
  return Object.entries(values).find(([key, value]) => key.includes('\0') || value.includes('\0'))?.[0];
}

export {NUL_FIX};
