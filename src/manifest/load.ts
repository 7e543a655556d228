import {SidecarError} from '../errors/index.js';
import {checkGraph} from './graph.js';
import {interpolate, interpolationEnv} from './interpolate.js';
import {normalize} from './normalize.js';
import {invalid, parseManifest} from './parse.js';
import type {Manifest} from './types.js';
import {validateSchema} from './validate-schema.js';

export interface LoadOptions {
  // Environment for interpolation (default: process.env, plus `.env` beside the manifest).
  env?: NodeJS.ProcessEnv;
}

export interface LoadResult {
  manifest: Manifest;
  // Variables used but unset, substituted with "" (Compose warns the same way).
  warnings: string[];
}

// parse → interpolate → schema-validate → normalize → graph checks. Every
// problem of the file is collected and thrown at once as SIDECAR_MANIFEST_INVALID.
export async function loadManifestWithWarnings(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const source = parseManifest(file);
  const {problems, unset} = interpolate(source, interpolationEnv(source.absolutePath, options.env));
  let data: Record<string, unknown>;
  try {
    data = source.doc.toJS({maxAliasCount: 100}) as Record<string, unknown>;
  } catch (error) {
    throw invalid([{message: `YAML: ${(error as Error).message}`, place: {file, line: 1, column: 1, path: ''}, suggestion: 'check the anchors (&name) and aliases (*name): use fewer, or write the values out'}]);
  }
  problems.push(...(await validateSchema(source, data)));
  if (problems.length > 0) throw invalid(problems);
  const normalized = normalize(source, data);
  if (normalized.problems.length > 0) throw invalid(normalized.problems);
  const graphProblems = checkGraph(source, normalized.manifest);
  if (graphProblems.length > 0) throw invalid(graphProblems);
  const warnings = unset.map((name) => `variable ${name} is not set; using an empty string (set it, or give a default: \${${name}:-value})`);
  return {manifest: normalized.manifest, warnings};
}

export async function loadManifest(file: string, options: LoadOptions = {}): Promise<Manifest> {
  return (await loadManifestWithWarnings(file, options)).manifest;
}

export {SidecarError};
