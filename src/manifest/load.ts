import {SidecarError, type Problem} from '../errors/index.js';
import {castToFieldTypes} from './cast.js';
import {checkGraph, checkStack} from './graph.js';
import {interpolate} from './interpolate.js';
import {readInterpolationEnv} from './interpolation-env.js';
import {normalize} from './normalize.js';
import {nulByteProblems} from './nul-bytes.js';
import {missingPaths} from './paths-exist.js';
import {nameVariables} from './origin-messages.js';
import {invalid, parseManifest, readManifestText} from './parse.js';
import {kubernetesToManifest} from './k8s/kubernetes.js';
import {K8sPlaces} from './k8s/k8s-places.js';
import {looksLikeKubernetes, parseKubernetes} from './k8s/k8s-source.js';
import type {Loss} from './loss.js';
import {rememberK8sSource, rememberSource} from './loaded-source.js';
import {problemAt, type ManifestSource} from './source.js';
import {shellQuote} from '../generate/shell-quote.js';
import type {Manifest} from './types.js';
import {validateSchema} from './validate-schema.js';

export interface LoadOptions {
  // Environment for interpolation (default: process.env, plus `.env` beside the manifest).
  env?: NodeJS.ProcessEnv;
  // Check that the directories the manifest names (workdir, build context) exist
  // (issue 8.6). Off by default: scaffolding validates a manifest before it has
  // written the directories that manifest names.
  checkPaths?: boolean;
  // A missing `${VAR:?msg}` is unset ("" and a warning), not an error: for commands
  // that need only the stack's names (found by a new user's trial: `down --volumes`
  // with nothing running failed in a CI cleanup step without the secret).
  requiredMayBeUnset?: boolean;
}

export interface LoadResult {
  manifest: Manifest;
  // Variables used but unset, substituted with "" (Compose warns the same way).
  warnings: string[];
  // What a Kubernetes file read as input cannot carry over (issue 12.2); empty for a sidecar.yaml.
  losses: Loss[];
  // A sidecar.yaml's: its text and every variable interpolation looked up (with its value), what
  // the result depends on besides the code and the home directory (load-cache.ts).
  inputs?: {text: string; variables: Record<string, string | null>; envFiles: {file: string; text: string}[]};
}

// parse → interpolate → schema-validate → normalize → graph checks. Every
// problem of the file is collected and thrown at once as SIDECAR_MANIFEST_INVALID.
export async function loadManifestWithWarnings(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  // DESIGN "Kubernetes YAML as input": every command reads a Pod/Deployment file too.
  const text = readManifestText(file);
  if (looksLikeKubernetes(text)) return loadKubernetes(file, text);
  const source = parseManifest(file);
  const env = readInterpolationEnv(source.absolutePath, options.env, source.displayPath);
  const {problems, unset, origins, looked} = interpolate(source, env.values, {requiredUnset: options.requiredMayBeUnset === true});
  problems.push(...nulByteProblems(source));
  let data: Record<string, unknown>;
  try {
    data = source.doc.toJS({maxAliasCount: 100}) as Record<string, unknown>;
  } catch (error) {
    throw invalid([{message: `YAML: ${(error as Error).message}`, place: {file, line: 1, column: 1, path: ''}, suggestion: 'check the anchors (&name) and aliases (*name): use fewer, or write the values out'}]);
  }
  castToFieldTypes(data);
  // A docker-compose file given as the manifest (found by a new user's trial: three
  // generic problems, none saying what it is): said as such, with `import` as the fix.
  if (looksLikeCompose(data)) {
    throw invalid([problemAt(source, ['services'], 'this is a docker-compose file (top-level `services:`), not a sidecar manifest', `\`sidecar import ${shellQuote(file)}\` writes the sidecar.yaml equivalent (what cannot carry over is listed)`, true)]);
  }
  const schemaProblems = await validateSchema(source, data);
  if (problems.length + schemaProblems.length > 0) {
    const known = [...problems, ...schemaProblems];
    throw invalid([...problems, ...nameVariables([...schemaProblems, ...laterStageProblems(source, data, known, options, env.values)], origins)], source.displayPath);
  }
  const normalized = normalize(source, data, env.values);
  // Graph checks run on what normalize could read, so that a bad port spec and an
  // undeclared volume are reported together (DESIGN: "every problem found").
  const graphProblems = [...checkGraph(source, normalized.manifest), ...(options.checkPaths ? missingPaths(source, normalized.manifest, data) : [])];
  if (normalized.problems.length > 0) throw invalid(nameVariables([...normalized.problems, ...unrelatedTo(graphProblems, normalized.problems)], origins), source.displayPath);
  if (graphProblems.length > 0) throw invalid(nameVariables(graphProblems, origins));
  rememberSource(normalized.manifest, source);
  // The variables env files used unset warn as the manifest's own do; what they looked
  // up is recorded at its final value, which is what the load cache compares.
  const allUnset = [...new Set([...unset, ...env.unset, ...normalized.unset])];
  const warnings = allUnset.map((name) => `variable ${name} is not set; using an empty string (set it, or give a default: \${${name}:-value})`);
  const variables = {...looked};
  for (const name of [...Object.keys(env.looked), ...Object.keys(normalized.looked)]) variables[name] = Object.hasOwn(env.values, name) ? env.values[name]! : null;
  return {manifest: normalized.manifest, warnings, losses: [], inputs: {text: source.text, variables, envFiles: normalized.envFiles}};
}

function loadKubernetes(file: string, text: string): LoadResult {
  const {source, problems} = parseKubernetes(file, text);
  const result = kubernetesToManifest(source, problems);
  if (result.problems.length > 0) throw invalid(result.problems);
  // The stack's own checks (host ports published twice, ports shared in a pod,
  // ${pods.NAME.host} and ${volumes.NAME} references), at the Kubernetes fields.
  const stackProblems = checkStack(new K8sPlaces(source, result.manifest), result.manifest);
  if (stackProblems.length > 0) throw invalid(stackProblems);
  rememberK8sSource(result.manifest, source);
  return {manifest: result.manifest, warnings: [], losses: result.losses};
}

// Report every problem at once: what normalize and the graph checks find (bad
// signals, port specs, mounts, nothing to run, clashing names, undeclared volumes)
// on the values the schema accepted is added to the schema's problems, except
// where the schema already complained about the same place or around it. The later
// stages trust schema-valid data, so on invalid data they may throw: then only the
// stages that finished speak.
function laterStageProblems(source: ManifestSource, data: Record<string, unknown>, known: Problem[], options: LoadOptions, env: Record<string, string>): Problem[] {
  let kept: Record<string, unknown>;
  let normalized: ReturnType<typeof normalize>;
  try {
    kept = without(data, known.map((problem) => problem.place?.path ?? ''));
    // Neither form left (\`pods: {}\` rejected, no app): nothing a later stage could place.
    if (kept.app === undefined && kept.pods === undefined) return [];
    normalized = normalize(source, kept, env);
  } catch {
    return [];
  }
  let graph: Problem[] = [];
  try {
    graph = [...checkGraph(source, normalized.manifest), ...(options.checkPaths ? missingPaths(source, normalized.manifest, kept) : [])];
  } catch {
    // A shape the graph checks did not expect: normalize's problems still count.
  }
  const found = [...unrelatedTo(normalized.problems, known), ...unrelatedTo(graph, known)];
  return unrelatedTo(found, [], true);
}

// The problems not at, inside or around a place already reported. An unknown key
// (\`helth\`) removed from a service leaves it as complete as before, so it hides only
// problems at or inside itself, not the service's own ("nothing to run"). With
// \`dedupe\`, also drops repeats of the same message at the same place.
function unrelatedTo(found: Problem[], known: Problem[], dedupe = false): Problem[] {
  const inside = (a: string, b: string) => a === b || b === '' || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  const related = (problem: Problem, other: Problem): boolean => {
    const a = problem.place?.path ?? '';
    const b = other.place?.path ?? '';
    if (a === '' || inside(a, b)) return true;
    return !other.message.startsWith('unknown key "') && inside(b, a);
  };
  const kept = found.filter((problem) => !known.some((other) => related(problem, other)));
  if (!dedupe) return kept;
  const seen = new Set<string>();
  return kept.filter((problem) => {
    const key = `${problem.place?.path ?? ''}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// A copy of the data without the values the schema rejected (`app.command`,
// `app.ports[0]`), so normalize meets only shapes it expects there.
function without(data: Record<string, unknown>, paths: string[]): Record<string, unknown> {
  const copy = structuredClone(data);
  for (const path of paths) {
    const segments = path.split(/\.|(?=\[)/).filter((segment) => segment !== '').map((segment) => (/^\[\d+\]$/.test(segment) ? Number(segment.slice(1, -1)) : segment));
    let node: unknown = copy;
    for (const [i, segment] of segments.entries()) {
      // Only maps and lists are cut into (a !!binary value is a Uint8Array).
      if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) break;
      const container = node as Record<string | number, unknown>;
      if (i < segments.length - 1) node = container[segment];
      else if (Array.isArray(container)) container[segment as number] = undefined;
      else delete container[segment];
    }
  }
  return copy;
}

export async function loadManifest(file: string, options: LoadOptions = {}): Promise<Manifest> {
  return (await loadManifestWithWarnings(file, options)).manifest;
}

export {SidecarError};

// Top-level `services:` (Compose's one required key) and none of a manifest's own.
function looksLikeCompose(data: Record<string, unknown> | null): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return false;
  return 'services' in data && !('app' in data) && !('pods' in data) && !('sidecars' in data);
}
