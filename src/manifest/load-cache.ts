import {closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {writeJsonAtomic} from '../host/state-file.js';
import {interpolationEnv} from './interpolation-env.js';
import type {LoadResult} from './load.js';
import {MAX_ENV_FILE_BYTES, MAX_MANIFEST_BYTES, readTextFile} from './read-text-file.js';

// Issue 13.1: `up` spent ~10 ms of its way to the first service parsing YAML,
// interpolating, validating and normalizing a manifest that had not changed
// since the last `up`. The result of a sidecar.yaml's load is kept in
// .sidecar/load-cache.json with everything it depends on: the code that made it
// (this file's build), the manifest's path and exact text, the home directory
// (`~` in volumes), the value (or absence) of every variable interpolation
// looked up (from the environment or the `.env` beside the manifest), and the
// exact text of every `envFile` the services read. It is used
// only when all of those are the same now; anything else, or anything odd about
// the file, is a full load. Only loads without a problem are kept (a problem is
// reported by the full load, with its places), never a Kubernetes file's.
const FORMAT = 1;
// The manifest at its largest, its JSON, the variables and env files.
const MAX_CACHE_BYTES = 4 * MAX_MANIFEST_BYTES + (16 << 20);

interface LoadCacheRecord {
  format: number;
  code: string;
  file: string;
  text: string;
  home: string;
  variables: Record<string, string | null>;
  envFiles: {file: string; text: string}[];
  result: Pick<LoadResult, 'manifest' | 'warnings' | 'losses'>;
}

// The result kept for this manifest, when nothing it depends on has changed.
export function cachedLoad(file: string, cacheFile: string): LoadResult | undefined {
  try {
    // Only from the project's own .sidecar/: ours, never through a link.
    const root = lstatSync(path.dirname(cacheFile));
    if (!root.isDirectory() || root.uid !== process.getuid?.()) return undefined;
    const record = readRecord(cacheFile);
    const absolutePath = path.resolve(file);
    if (!record || record.format !== FORMAT || record.code !== codeIdentity() || record.file !== absolutePath || record.home !== os.homedir()) return undefined;
    const read = readTextFile(absolutePath, file, MAX_MANIFEST_BYTES);
    if (!read.ok || read.text !== record.text) return undefined;
    const env = interpolationEnv(absolutePath, process.env, file);
    for (const [name, value] of Object.entries(record.variables)) {
      if ((Object.hasOwn(env, name) ? env[name] : null) !== value) return undefined;
    }
    for (const envFile of record.envFiles) {
      const again = readTextFile(envFile.file, envFile.file, MAX_ENV_FILE_BYTES);
      if (!again.ok || again.text !== envFile.text) return undefined;
    }
    return {...record.result, inputs: {text: record.text, variables: record.variables, envFiles: record.envFiles}};
  } catch {
    // Unreadable, not ours, or an invalid `.env`: the full load says what is wrong.
    return undefined;
  }
}

// Keeps a full load's result with the inputs that load read (not read again
// here: a `.env` changed meanwhile must not pair new values with the old result).
// `.sidecar/` must already be checked (assertStateTree).
export function keepLoad(file: string, cacheFile: string, loaded: LoadResult): void {
  if (!loaded.inputs || loaded.manifest.source === 'kubernetes') return;
  const record: LoadCacheRecord = {
    format: FORMAT,
    code: codeIdentity(),
    file: path.resolve(file),
    text: loaded.inputs.text,
    home: os.homedir(),
    variables: loaded.inputs.variables,
    envFiles: loaded.inputs.envFiles,
    result: {manifest: loaded.manifest, warnings: loaded.warnings, losses: loaded.losses},
  };
  try {
    writeJsonAtomic(cacheFile, record);
  } catch {
    // A full disk or a read-only .sidecar/: the next `up` loads in full, as it would have.
  }
}

// The build this code came from: the bundle (or plain module) file and its time.
function codeIdentity(): string {
  const self = fileURLToPath(import.meta.url);
  return `${self}@${statSync(self).mtimeMs}`;
}

function readRecord(cacheFile: string): LoadCacheRecord | undefined {
  const fd = openSync(cacheFile, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_CACHE_BYTES || stat.uid !== process.getuid?.()) return undefined;
    const record = JSON.parse(readFileSync(fd, 'utf8')) as LoadCacheRecord;
    const variables = record?.variables;
    if (typeof record?.text !== 'string' || typeof variables !== 'object' || variables === null) return undefined;
    if (!Object.values(variables).every((value) => value === null || typeof value === 'string')) return undefined;
    if (!Array.isArray(record.envFiles) || !record.envFiles.every((envFile) => typeof envFile?.file === 'string' && path.isAbsolute(envFile.file) && typeof envFile.text === 'string')) return undefined;
    if (typeof record.result?.manifest !== 'object' || !Array.isArray(record.result.warnings) || !Array.isArray(record.result.losses)) return undefined;
    return record;
  } finally {
    closeSync(fd);
  }
}
