import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';
import type {ErrorObject} from 'ajv';
import type {Problem} from '../errors/index.js';
import {didYouMean} from './did-you-mean.js';
import {manifestSchema, schemaAt} from './schema.js';
import {problemAt, type ManifestSource, type PathSegment} from './source.js';

type Validator = ((data: unknown) => boolean) & {errors?: ErrorObject[] | null};

let validator: Validator | undefined;

// The build precompiles the schema (scripts/build-schema.js); running from
// sources (tests, development) compiles it on first use instead. The precompiled
// validator is read as the bundles are, with its V8 code cache (bin/load-bundle.js,
// scripts/bundle.js): compiled by require, its 90 KB took ~5 ms of every `up` and
// `validate` before the first check ran, and ~5 ms more on that first check.
async function loadValidator(): Promise<Validator> {
  if (validator) return validator;
  try {
    const require = createRequire(import.meta.url);
    const {loadBundle} = require('../../bin/load-bundle.js') as {loadBundle(file: string): {default: Validator}};
    validator = loadBundle(fileURLToPath(new URL('./schema-validator.cjs', import.meta.url))).default;
  } catch {
    const {Ajv} = await import('ajv');
    validator = new Ajv({allErrors: true, strict: true, allowUnionTypes: true}).compile(manifestSchema()) as Validator;
  }
  return validator;
}

// Stage 3: the JSON Schema, with every error turned into a placed, fixable problem.
export async function validateSchema(source: ManifestSource, data: unknown): Promise<Problem[]> {
  const validate = await loadValidator();
  if (validate(data)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'propertyNames' && !error.propertyName) continue;
    const problem = toProblem(source, error, data);
    if (!problem) continue;
    const key = `${problem.place?.line}:${problem.place?.column}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function segmentsOf(instancePath: string, data: unknown): PathSegment[] {
  const raw = instancePath === '' ? [] : instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const out: PathSegment[] = [];
  let node: unknown = data;
  for (const segment of raw) {
    const isIndex = Array.isArray(node) && /^\d+$/.test(segment);
    out.push(isIndex ? Number(segment) : segment);
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const segment of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(segment)] : undefined;
  return node;
}

// One ajv error → one message that says what is wrong and what to do.
function toProblem(source: ManifestSource, error: ErrorObject, data: unknown): Problem | undefined {
  const path = segmentsOf(error.instancePath, data);
  const value = valueAt(data, path);
  const node = schemaAt(path.map(String));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys(node?.properties ?? {});
      if (key === 'volumes' && path.length === 2 && path[0] === 'pods') {
        const names = Object.keys((value as Record<string, unknown> | undefined)?.volumes ?? {});
        const example = `volumes: {${names[0] ?? 'data'}: {}}`;
        return problemAt(source, [...path, key], 'unknown key "volumes"', `volumes are declared once, at the top level (${example}), and mounted from any pod`, true);
      }
      const guess = didYouMean(key, allowed);
      const fix = guess ? `did you mean "${guess}"?` : allowed.length > 0 ? `allowed keys here: ${allowed.join(', ')}` : 'remove this key';
      return problemAt(source, [...path, key], `unknown key "${key}"`, fix, true);
    }
    case 'required':
      return requiredProblem(source, path, String(params.missingProperty));
    case 'if':
      // The `false schema` or `required` error inside the branch says what is wrong.
      return undefined;
    case 'false schema':
      return formProblem(source, path);
    case 'minProperties':
      if (path.length === 1 && path[0] === 'pods') return problemAt(source, path, '`pods` is empty', 'declare at least one pod, e.g. pods: {web: {app: {command: [node, server.js]}}}');
      return problemAt(source, path, 'the mapping is empty', 'give at least one entry or remove the key');
    case 'const':
      return problemAt(source, path, `version ${JSON.stringify(value)} is not supported; this sidecar reads version 1`, 'write `version: 1`');
    case 'enum': {
      const options = (params.allowedValues as unknown[]).map(String);
      const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
      return problemAt(source, path, `${describe(value)} is not one of: ${options.join(', ')}`, guess ? `did you mean "${guess}"?` : `use one of: ${options.join(', ')}`);
    }
    case 'type': {
      // `proxy:` with nothing under it: say so, rather than "expected object, got null".
      if (value === null && path.length === 2 && path[0] === 'pods') {
        return problemAt(source, path, `pod "${String(path[1])}" is empty`, 'give it an `app:` with an image, a build or a command', true);
      }
      if (value === null && node?.properties?.image) {
        return problemAt(source, path, `service "${String(path[path.length - 1])}" is empty`, 'give it an `image`, a `build` or a `command`');
      }
      if (typeof value === 'number' && DURATION_FIELDS.includes(String(path[path.length - 1]))) return bareNumber(source, path, value);
      const expected = String(params.type).split(',').join(' or ');
      return problemAt(source, path, `expected ${expected}, got ${describe(value)}`, hintForType(path, node?.description));
    }
    case 'pattern':
      return patternProblem(source, path, value, error);
    case 'propertyNames':
      return undefined;
    case 'minimum':
    case 'maximum':
      return problemAt(source, path, `${describe(value)} is out of range (${error.message})`, rangeHint(path));
    case 'minItems':
      return problemAt(source, path, 'the list is empty', 'give at least one item, e.g. command: [node, server.js]');
    case 'uniqueItems':
      return problemAt(source, path, 'the list repeats an item', 'list each name once');
    default:
      return problemAt(source, path, `${error.message ?? 'is invalid'}`, node?.description ? `expected ${node.description}` : 'see the manifest reference in docs/manifest.md');
  }
}

// A missing key: the form-level ones (`version`, `app` or `pods`, a pod's `app`) say what they are for.
function requiredProblem(source: ManifestSource, path: PathSegment[], key: string): Problem {
  if (key === 'version') return problemAt(source, path, '"version" is required here', 'add `version: 1` at the top');
  if (key === 'app' && path.length === 0) {
    return problemAt(source, path, 'the manifest needs an `app:` section (the main service) or `pods:` (several pods)', 'add `app:` with an image, build or command, or `pods:` with one app per pod (see docs/manifest.md)');
  }
  if (key === 'app' && path.length === 2 && path[0] === 'pods') {
    return problemAt(source, path, `pod "${String(path[1])}" has no app`, `add \`app:\` with an image, build or command under pods.${String(path[1])}`, true);
  }
  return problemAt(source, path, `"${key}" is required here`, `add "${key}"`);
}

// Top-level `app`, `sidecars`, `init` or `startup` next to `pods`: the two forms
// in one file. Said at the top-level key, with where it belongs instead.
function formProblem(source: ManifestSource, path: PathSegment[]): Problem {
  const key = String(path[0]);
  const fix =
    key === 'app'
      ? 'a manifest has either a top-level `app` (one pod) or `pods`, never both: move this app under pods.NAME.app (its sidecars and init with it), or remove `pods`'
      : `move it into the pod it belongs to: pods.NAME.${key}`;
  return problemAt(source, path, `top-level "${key}" cannot be used together with "pods"`, fix, true);
}

function patternProblem(source: ManifestSource, path: PathSegment[], value: unknown, error: ErrorObject): Problem {
  const last = String(path[path.length - 1] ?? '');
  if (error.propertyName !== undefined) {
    const name = error.propertyName;
    // An environment variable's name is not a DNS label (found by a new user's trial:
    // `env: {"A=B": x}` was told to use lowercase letters and dashes).
    if (last === 'env') {
      return problemAt(source, [...path, name], `${JSON.stringify(name)} is not a valid environment variable name`, 'start it with a letter or _, then letters, digits, _, . or -, e.g. LOG_LEVEL; a "=" belongs in the value: KEY: "a=b"', true);
    }
    if (name.length > 63) return problemAt(source, [...path, name], `the name "${name}" is longer than 63 characters`, 'names become hostnames and container names (DNS labels): use at most 63 characters', true);
    return problemAt(source, [...path, name], `${JSON.stringify(name)} is not a valid name`, 'use lowercase letters, digits and dashes (like a DNS label), e.g. "log-shipper"', true);
  }
  if (DURATION_FIELDS.includes(last)) {
    if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return bareNumber(source, path, value.trim());
    return problemAt(source, path, `${describe(value)} is not a duration`, 'write a duration such as 250ms, 2s or 1m30s');
  }
  if (last === 'stopSignal') return problemAt(source, path, `${describe(value)} is not a signal name`, 'write a signal such as SIGTERM, SIGINT or SIGQUIT');
  if (last === 'name' && typeof value === 'string' && value.length > 63) {
    return problemAt(source, path, `project name ${describe(value)} is longer than 63 characters`, 'the project name is the pod\'s hostname (a DNS label): use at most 63 characters');
  }
  if (last === 'name') return problemAt(source, path, `project name ${describe(value)} is invalid`, 'use lowercase letters, digits and dashes, starting and ending with a letter or digit, e.g. "orders"');
  if (path.includes('watch') && last === 'target') return problemAt(source, path, `watch target ${describe(value)} is not an absolute path in the container`, 'start it with "/", e.g. target: /app/src');
  if (path.includes('watch') && last === 'path') return problemAt(source, path, 'watch path must not be empty', 'name a file or directory relative to the manifest, e.g. ./src');
  if (last === 'path') return problemAt(source, path, `${describe(value)} is not an HTTP path`, 'start the path with "/", e.g. /healthz');
  if (path.includes('env')) return problemAt(source, path, `${describe(value)} is not KEY=VALUE`, 'write env as a map (KEY: value) or a list of KEY=VALUE');
  return problemAt(source, path, `${describe(value)} must not be empty`, 'give a value or remove the key');
}

const DURATION_FIELDS = ['interval', 'timeout', 'startPeriod', 'startTimeout', 'stopTimeout'];

// `interval: 5` or INTERVAL=5: a duration needs its unit (Compose's durations
// need one too); say which one was probably meant rather than "expected string".
function bareNumber(source: ManifestSource, path: PathSegment[], value: number | string): Problem {
  return problemAt(source, path, `${value} has no unit`, `write ${value}s for seconds (or ${value}ms, ${value}m)`);
}

function hintForType(path: PathSegment[], description?: string): string {
  const last = String(path[path.length - 1] ?? '');
  if (last === 'command' || last === 'exec') return 'write the command in exec form, e.g. [node, server.js]; it never runs through a shell';
  if (last === 'sidecars' || last === 'init') return `write ${last} as a mapping of name: service`;
  if (last === 'port') return 'write a port number, e.g. 8080';
  return description ? `expected ${description}` : 'see the manifest reference in docs/manifest.md';
}

function rangeHint(path: PathSegment[]): string {
  const last = String(path[path.length - 1] ?? '');
  if (last === 'port') return 'use a port from 1 to 65535';
  if (last === 'retries') return 'use 1 or more';
  return 'use a value in range';
}
