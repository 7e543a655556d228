import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

// The CLI runs from a bundle loaded through vm.Script with a V8 code cache
// (bin/load-bundle.js). A dynamic import that esbuild leaves as a real import()
// (a node: builtin, a package it does not inline) fails there once the cache is
// used: "A dynamic import callback was not specified" (found by CI: `graph -o`).
// Dynamic imports of our own modules are inlined by esbuild and are fine.
const src = path.resolve(import.meta.dirname, '../../src');
// Loaded only when the prebuilt schema validator is missing (a plain tsc build, never the bundle).
const ALLOWED = new Set(['manifest/validate-schema.ts:ajv']);

function files(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('dynamic imports in src/', () => {
  it('import only our own modules (relative paths), which the bundle inlines', () => {
    const offenders = files(src).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bimport\(\s*['"]([^'".][^'"]*)['"]\s*\)/g)]
        .map((m) => `${path.relative(src, file)}:${m[1]}`)
        .filter((where) => !ALLOWED.has(where)),
    );
    expect(offenders).toEqual([]);
  });
});
