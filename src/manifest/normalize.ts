import {constants} from 'node:os';
import path from 'node:path';
import type {Problem} from '../errors/index.js';
import {userRegexProblem} from './user-regex.js';
import {readEnvFile} from './dotenv.js';
import {NUL_FIX, nulInEnvFile} from './nul-bytes.js';
import {DURATION_RANGES, durationRangeProblem, parseDurationText} from './duration.js';
import {parsePort} from './ports.js';
import {problemAt, type ManifestSource, type PathSegment} from './source.js';
import type {Check, Health, Manifest, Pod, Role, Service, StartupMode, VolumeMount} from './types.js';
import {parseVolumeMount} from './volumes.js';
import {watchRules} from './watch-rules.js';
import {parseCpus, parseMemory, type Resources} from './resources.js';

type Raw = Record<string, unknown>;

// DESIGN.md defaults.
export const DEFAULTS = {
  intervalMs: 1000,
  timeoutMs: 1000,
  retries: 3,
  startPeriodMs: 0,
  startTimeoutMs: 60_000,
  stopTimeoutMs: 10_000,
  stopSignal: 'SIGTERM' as NodeJS.Signals,
} as const;

const DEFAULT_RESTART: Record<Role, Service['restart']> = {app: 'on-failure', sidecar: 'always', init: 'never'};

// Stage 4: schema-valid data → the typed Manifest, with defaults applied and
// strings parsed (durations, ports, mounts, signals).
// `envFiles`: every env file read, by absolute path, with the text it had, and
// `looked`: the variables their values were interpolated from (load-cache.ts);
// `variables` is what they are interpolated from (the manifest's own interpolation
// environment, as Compose reads env_file), `unset` what they used unset.
export interface Normalized {
  manifest: Manifest;
  problems: Problem[];
  envFiles: {file: string; text: string}[];
  looked: Record<string, string | null>;
  unset: string[];
}

export function normalize(source: ManifestSource, data: Raw, variables: Record<string, string> = {}): Normalized {
  const problems: Problem[] = [];
  const envFilesRead: {file: string; text: string}[] = [];
  const looked: Record<string, string | null> = {};
  const unset: string[] = [];
  const dir = path.dirname(source.absolutePath);
  const at = (p: PathSegment[], message: string, suggestion: string) => problems.push(problemAt(source, p, message, suggestion));

  const service = (pod: string, id: string, name: string, role: Role, raw: Raw, base: PathSegment[]): Service => {
    const duration = (key: keyof typeof DURATION_RANGES, value: unknown, fallback: number, p: PathSegment[]): number => {
      if (value === undefined) return fallback;
      const ms = parseDurationText(String(value));
      if (ms === undefined) {
        at([...p, key], `"${String(value)}" is not a duration`, 'write 250ms, 2s or 1m30s');
        return fallback;
      }
      const wrong = durationRangeProblem(`${key} ${String(value)}`, ms, DURATION_RANGES[key]);
      if (wrong) {
        at([...p, key], wrong.message, wrong.suggestion);
        return fallback;
      }
      return ms;
    };
    const envFiles = raw.envFile === undefined ? [] : Array.isArray(raw.envFile) ? (raw.envFile as string[]) : [raw.envFile as string];
    const env: Record<string, string> = {};
    envFiles.forEach((file, index) => {
      const display = path.join(path.dirname(source.displayPath), file);
      const read = readEnvFile(path.resolve(dir, file), file, (name) => variables[name]);
      if (read.ok) {
        envFilesRead.push({file: path.resolve(dir, file), text: read.text});
        Object.assign(looked, read.looked);
        for (const name of read.unset) if (!unset.includes(name)) unset.push(name);
      }
      const where = [...base, 'envFile', ...(Array.isArray(raw.envFile) ? [index] : [])];
      const nul = read.ok ? nulInEnvFile(read.values) : undefined;
      if (read.ok && read.problems.length > 0) {
        for (const problem of read.problems) problems.push({message: problem.message, place: {file: display, line: problem.line, column: problem.column, path: ''}, suggestion: problem.suggestion});
      } else if (nul !== undefined) at(where, `${file}: ${nul} holds a NUL byte (\\0)`, NUL_FIX);
      else if (read.ok) Object.assign(env, read.values);
      else {
        if (read.missing) at(where, `env file "${file}" cannot be read`, `create ${file} next to the manifest or remove it from envFile`);
        else at(where, read.message, read.suggestion);
      }
    });
    Object.assign(env, envOf(raw.env));

    const ports = ((raw.ports as (string | number)[] | undefined) ?? []).flatMap((spec, index) => {
      const parsed = parsePort(spec);
      if (typeof parsed === 'string') {
        at([...base, 'ports', index], parsed, 'write [address:]host:container, e.g. "8080:8080" or "0.0.0.0:8080:80"');
        return [];
      }
      return [parsed];
    });
    const volumes = ((raw.volumes as string[] | undefined) ?? []).flatMap((spec, index): VolumeMount[] => {
      const parsed = parseVolumeMount(spec, dir);
      if (typeof parsed === 'string') {
        at([...base, 'volumes', index], parsed, 'write NAME:/path[:ro] for a named volume or ./dir:/path[:ro] for a bind mount');
        return [];
      }
      return [parsed];
    });

    const stopSignal = (raw.stopSignal as string | undefined) ?? DEFAULTS.stopSignal;
    if (!Object.hasOwn(constants.signals, stopSignal)) at([...base, 'stopSignal'], `${stopSignal} is not a signal`, 'use SIGTERM, SIGINT, SIGQUIT, SIGHUP or SIGUSR1');

    const processRaw = (raw.process as Raw | undefined) ?? {};
    const result: Service = {
      name,
      pod,
      id,
      role,
      workdir: path.resolve(dir, (raw.workdir as string | undefined) ?? '.'),
      env,
      ports,
      volumes,
      restart: (raw.restart as Service['restart'] | undefined) ?? DEFAULT_RESTART[role],
      stopSignal: stopSignal as NodeJS.Signals,
      stopTimeoutMs: duration('stopTimeout', raw.stopTimeout, DEFAULTS.stopTimeoutMs, base),
      after: (raw.after as string[] | undefined) ?? [],
      watch: [],
      process: {
        env: envOf(processRaw.env),
        ...(processRaw.command ? {command: (processRaw.command as unknown[]).map(String)} : {}),
        ...(processRaw.workdir ? {workdir: path.resolve(dir, processRaw.workdir as string)} : {}),
      },
    };
    if (typeof raw.image === 'string') result.image = raw.image;
    if (raw.build !== undefined) {
      const build = typeof raw.build === 'string' ? {context: raw.build} : (raw.build as {context: string; dockerfile?: string; args?: Raw});
      result.build = {
        context: path.resolve(dir, build.context),
        dockerfile: build.dockerfile ?? 'Dockerfile',
        args: Object.fromEntries(Object.entries(build.args ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)])),
      };
    }
    if (raw.command) result.command = (raw.command as unknown[]).map(String);
    if (raw.name !== undefined && role !== 'app') at([...base, 'name'], `a${role === 'init' ? 'n init job' : ' sidecar'}'s name is its key (${name}); only the app has a name field`, 'remove name, or rename the key');
    if (raw.withApp !== undefined && role !== 'sidecar') at([...base, 'withApp'], `withApp is for sidecars (one that starts with the app instead of before it), not for the ${role === 'app' ? 'app' : 'init jobs'}`, 'remove withApp');
    else if (raw.withApp === true) result.withApp = true;
    if (typeof raw.maxRestarts === 'number') result.maxRestarts = raw.maxRestarts;
    result.watch = watchRules(raw.watch, dir, [...base, 'watch'], at);
    if (raw.resources) {
      const resources = normalizeResources(raw.resources as Raw, [...base, 'resources'], at);
      if (resources) result.resources = resources;
    }
    if (raw.health) {
      const health = normalizeHealth(raw.health as Raw, [...base, 'health'], duration, at);
      if (health) result.health = health;
    }
    if (raw.liveness && role === 'init') at([...base, 'liveness'], 'an init job runs once to completion: it has no liveness check', 'remove liveness, or make it a sidecar');
    else if (raw.liveness === true) at([...base, 'liveness'], 'liveness: true says nothing to check', 'give a check (http: {port, path}, tcp: {port} or exec: [cmd, ...]), or write false so that a failing health check never restarts the service');
    else if (raw.liveness === false) {
      if (result.health) result.health.afterReady = 'mark';
    } else if (raw.liveness) {
      // The schema keeps `log` and `startTimeout` out: a log line is seen once, it cannot say "still alive".
      const live = normalizeHealth(raw.liveness as Raw, [...base, 'liveness'], duration, at);
      if (live && live.check.kind !== 'log') {
        const {startTimeoutMs: _gate, ...liveness} = live;
        result.liveness = {...liveness, check: live.check};
        // Kubernetes' split: with a liveness check, `health` gates the start and then marks readiness only.
        if (result.health) result.health.afterReady = 'mark';
      }
    }
    if (!result.image && !result.build && !result.command && !result.process.command) {
      at(base, `service "${name}" has nothing to run`, 'give it an `image`, a `build` or a `command`');
    }
    return result;
  };

  const projectName = (data.name as string | undefined) ?? projectNameFromDir(dir);
  // One pod's app, sidecars and init at `base` (the top level, or `pods.NAME`).
  const pod = (podName: string, raw: Raw, base: PathSegment[], single: boolean): Pod => {
    const idOf = (name: string): string => (single ? name : `${podName}/${name}`);
    const mapOf = (key: 'sidecars' | 'init', role: Role): Service[] =>
      Object.entries((raw[key] as Record<string, Raw | null> | undefined) ?? {}).map(([name, value]) => {
        if (value === null) at([...base, key, name], `${role} "${name}" is empty`, 'give it an `image`, a `build` or a `command`');
        return service(podName, idOf(name), name, role, value ?? {}, [...base, key, name]);
      });
    // The app is called `app` unless it says otherwise (a Kubernetes container's own name, issue 12.3).
    const appRaw = (raw.app as Raw | null) ?? {};
    const appName = typeof appRaw.name === 'string' ? appRaw.name : 'app';
    return {
      name: podName,
      startup: (raw.startup as StartupMode | undefined) ?? 'ordered',
      after: (raw.after as string[] | undefined) ?? [],
      app: service(podName, idOf(appName), appName, 'app', appRaw, [...base, 'app']),
      sidecars: mapOf('sidecars', 'sidecar'),
      init: mapOf('init', 'init'),
    };
  };

  const volumes = Object.fromEntries(
    Object.entries((data.volumes as Record<string, Raw | null> | undefined) ?? {}).map(([name, raw]) => [name, {name, external: raw?.external === true}]),
  );
  const podsRaw = data.pods as Record<string, Raw | null> | undefined;
  const manifest: Manifest = {
    version: 1,
    name: projectName,
    file: source.absolutePath,
    dir,
    form: podsRaw === undefined ? 'single' : 'pods',
    pods: podsRaw === undefined ? [pod(projectName, data, [], true)] : Object.entries(podsRaw).map(([name, raw]) => pod(name, raw ?? {}, ['pods', name], false)),
    volumes,
  };
  return {manifest, problems, envFiles: envFilesRead, looked, unset};
}

function normalizeHealth(
  raw: Raw,
  base: PathSegment[],
  duration: (key: keyof typeof DURATION_RANGES, value: unknown, fallback: number, p: PathSegment[]) => number,
  at: (p: PathSegment[], message: string, suggestion: string) => void,
): Health | undefined {
  // A liveness check has no `log` (a line seen once cannot say "still alive"): the schema says so at its key.
  const field = String(base.at(-1));
  const allowed = field === 'liveness' ? ['http', 'tcp', 'exec'] : ['http', 'tcp', 'exec', 'log'];
  const kinds = allowed.filter((kind) => raw[kind] !== undefined);
  if (kinds.length !== 1) {
    if (kinds.length === 0 && field === 'liveness' && raw.log !== undefined) return undefined;
    at(base, kinds.length === 0 ? `${field} has no probe` : `${field} has ${kinds.length} probes (${kinds.join(', ')})`, `give exactly one of http: {port, path}, tcp: {port}, exec: [cmd, ...]${field === 'liveness' ? '' : ' or log: "regex"'}`);
    return undefined;
  }
  let check: Check;
  const kind = kinds[0]!;
  if (kind === 'http') {
    const http = raw.http as {port: number; path?: string; scheme?: 'http' | 'https'; headers?: Record<string, string>};
    check = {kind: 'http', port: http.port, path: http.path ?? '/', scheme: http.scheme ?? 'http', headers: http.headers ?? {}};
  } else if (kind === 'tcp') {
    check = {kind: 'tcp', port: (raw.tcp as {port: number}).port};
  } else if (kind === 'exec') {
    check = {kind: 'exec', command: (raw.exec as unknown[]).map(String)};
  } else {
    const pattern = String(raw.log);
    const problem = userRegexProblem(pattern);
    if (problem) at([...base, 'log'], problem.message, problem.suggestion);
    check = {kind: 'log', pattern};
  }
  return {
    check,
    intervalMs: duration('interval', raw.interval, DEFAULTS.intervalMs, base),
    timeoutMs: duration('timeout', raw.timeout, DEFAULTS.timeoutMs, base),
    retries: (raw.retries as number | undefined) ?? DEFAULTS.retries,
    startPeriodMs: duration('startPeriod', raw.startPeriod, DEFAULTS.startPeriodMs, base),
    startTimeoutMs: duration('startTimeout', raw.startTimeout, DEFAULTS.startTimeoutMs, base),
  };
}

// `resources: {memory, cpus}`; each bad quantity is a problem at its own place.
function normalizeResources(raw: Raw, base: PathSegment[], at: (p: PathSegment[], message: string, suggestion: string) => void): Resources | undefined {
  const resources: Resources = {};
  if (raw.memory !== undefined) {
    const memory = parseMemory(raw.memory);
    if (memory.ok) resources.memoryBytes = memory.value;
    else at([...base, 'memory'], memory.message, memory.suggestion);
  }
  if (raw.cpus !== undefined) {
    const cpus = parseCpus(raw.cpus);
    if (cpus.ok) resources.cpus = cpus.value;
    else at([...base, 'cpus'], cpus.message, cpus.suggestion);
  }
  return resources.memoryBytes === undefined && resources.cpus === undefined ? undefined : resources;
}

function envOf(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((item: string) => {
      const index = item.indexOf('=');
      return [item.slice(0, index), item.slice(index + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(raw as Raw).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

export function projectNameFromDir(dir: string): string {
  // A DNS label, as the pod's hostname must be: at most 63 characters (issue 9.12).
  const name = path.basename(dir).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
  return name === '' ? 'sidecar' : name;
}
