import {existsSync} from 'node:fs';
import path from 'node:path';
import {parseDurationText} from '../manifest/duration.js';
import type {LossList} from '../manifest/loss.js';
import {parsePort} from '../manifest/ports.js';
import {parseCpus, parseMemory} from '../manifest/resources.js';
import type {Health, PortMapping, RestartPolicy, Role, VolumeMount} from '../manifest/types.js';
import type {ImportedService} from './native-writer.js';
import {splitShellWords} from './shell-words.js';

export type Raw = Record<string, unknown>;

export interface ComposeContext {
  dir: string;
  losses: LossList;
  // Compose service name -> the named volume it refers to (top-level `volumes:`).
  declaredVolumes: Set<string>;
}

// Keys the import reads (or that the grouping reads: network_mode, depends_on).
const USED = ['image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'healthcheck', 'restart', 'stop_signal', 'stop_grace_period', 'mem_limit', 'cpus', 'deploy', 'working_dir', 'network_mode', 'depends_on'];
// Names and labels for the engine: nothing changes for the stack without them.
const HARMLESS = ['container_name', 'labels', 'pull_policy', 'platform', 'tty', 'stdin_open', 'init'];

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? undefined : String(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function words(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? splitShellWords(value) : list(value).map(String);
}

// Docker's b, k, m, g (powers of 1024) as bytes; `512m` is 512 MiB to Docker.
function dockerBytes(value: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(String(value).trim());
  if (!match) return undefined;
  const factor = {b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30}[(match[2] ?? 'b').toLowerCase() as 'b' | 'k' | 'm' | 'g'];
  return Math.ceil(Number(match[1]) * factor);
}

// One compose service as a service of a pod (issue 12.3): what carries over, and
// every key that does not as a loss under the service's id.
export function composeService(ctx: ComposeContext, name: string, pod: string, role: Role, raw: Raw): ImportedService {
  const id = `${pod}/${name}`;
  const loss = (feature: string, message: string) => ctx.losses.add(id, feature, message);
  for (const key of Object.keys(raw)) if (!USED.includes(key) && !HARMLESS.includes(key)) loss(key, 'sidecar has no equivalent');
  const service: ImportedService = {
    name, pod, id, role,
    workdir: ctx.dir,
    env: environment(raw.environment),
    ...portsOf(raw.ports, loss),
    volumes: volumes(ctx, raw.volumes, loss),
    restart: restart(raw.restart, role, loss),
    stopSignal: (text(raw.stop_signal) ?? 'SIGTERM') as NodeJS.Signals,
    stopTimeoutMs: 10_000,
    after: [],
    process: {env: {}},
    watch: [],
  };
  const maxRestarts = /^on-failure:(\d+)$/.exec(text(raw.restart) ?? '');
  if (maxRestarts) service.maxRestarts = Number(maxRestarts[1]);
  // A value naming a variable is written as it is, where sidecar.yaml reads it as Compose does.
  const verbatim: Record<string, string> = {};
  const keep = (at: string, value: string) => (verbatim[at] = value);
  const grace = text(raw.stop_grace_period);
  if (grace?.includes('${')) keep('stopTimeout', grace);
  else if (grace !== undefined) {
    const ms = parseDurationText(grace);
    if (ms === undefined) loss('stop_grace_period', `"${grace}" is not a duration: the default 10s applies`);
    else service.stopTimeoutMs = ms;
  }
  const image = text(raw.image);
  if (image) service.image = image;
  if (raw.build !== undefined) {
    const build = typeof raw.build === 'string' ? {context: raw.build} : ((raw.build ?? {}) as Raw);
    const args = Array.isArray(build.args) ? Object.fromEntries((build.args as string[]).map((a) => [a.split('=')[0]!, a.split('=').slice(1).join('=')])) : ((build.args ?? {}) as Record<string, unknown>);
    service.build = {context: path.resolve(ctx.dir, text(build.context) ?? '.'), dockerfile: text(build.dockerfile) ?? 'Dockerfile', args: Object.fromEntries(Object.entries(args).map(([k, v]) => [k, v === null ? '' : String(v)]))};
    for (const key of Object.keys(build)) if (!['context', 'dockerfile', 'args'].includes(key)) loss(`build.${key}`, 'sidecar builds with context, dockerfile and args only');
  }
  const entrypoint = words(raw.entrypoint);
  const command = words(raw.command);
  if (entrypoint) {
    loss('entrypoint', 'sidecar.yaml has no entrypoint: it is the start of `command`, and the image\'s own ENTRYPOINT (if any) still runs before it under Docker');
    service.command = [...entrypoint, ...(command ?? [])];
  } else if (command) service.command = command;
  if (raw.working_dir !== undefined) loss('working_dir', `the image's working directory is used, not ${String(raw.working_dir)} (sidecar.yaml's workdir is the process runtime's)`);
  const envFile = list(raw.env_file).flatMap((entry) => {
    const file = typeof entry === 'object' && entry !== null ? text((entry as Raw).path) ?? '' : String(entry);
    // sidecar.yaml's envFile must exist: an optional one that is absent now is left out.
    if ((entry as Raw | null)?.required === false && !existsSync(path.resolve(ctx.dir, file))) {
      loss('env_file', `${file} is optional (required: false) and absent: left out, since every envFile of sidecar.yaml must exist`);
      return [];
    }
    return [file];
  });
  if (envFile.length > 0) service.envFile = envFile;
  if (raw.expose !== undefined) loss('expose', 'every port is reachable inside the pod and the stack anyway: expose is not needed');
  const health = healthcheck(raw.healthcheck, loss, keep);
  if (health) service.health = health;
  const resources = resourcesOf(raw, loss, keep);
  if (resources) service.resources = resources;
  if (Object.keys(verbatim).length > 0) service.verbatim = verbatim;
  return service;
}

function environment(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const entry of value.map(String)) {
      const eq = entry.indexOf('=');
      // `- KEY` takes the value from the environment, as `${KEY}` does in sidecar.yaml.
      if (eq === -1) env[entry] = `\${${entry}}`;
      else env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Raw)) env[key] = v === null || v === undefined ? `\${${key}}` : String(v);
  }
  return env;
}

// Compose interpolates `${VAR}` in the whole file before reading it, and so does
// sidecar.yaml: a port that names a variable is written as it is (`specs`, in the
// file's order), and means there what it meant to Compose, whatever VAR is then.
function portsOf(value: unknown, loss: (feature: string, message: string) => void): {ports: PortMapping[]; portSpecs: string[]} {
  const mappings: PortMapping[] = [];
  const specs: string[] = [];
  for (const entry of list(value)) {
    let spec: string;
    if (entry && typeof entry === 'object') {
      const long = entry as Raw;
      const target = text(long.target);
      const published = text(long.published) ?? target;
      spec = `${text(long.host_ip) ? `${text(long.host_ip)}:` : ''}${published}:${target}${text(long.protocol) === 'udp' ? '/udp' : ''}`;
    } else spec = String(entry);
    const address = /^(\[[^\]]*\]|\d{1,3}(\.\d{1,3}){3}|localhost):/.test(spec);
    if (spec.includes('${')) {
      if (!address) loss('ports', `${spec} is published on 127.0.0.1 here, not on every address (write 0.0.0.0:${spec} for that)`);
      specs.push(spec);
      continue;
    }
    if (/^\d+(\/(tcp|udp))?$/.test(spec)) loss('ports', `${spec} publishes on a random host port in Compose; here on the same port (${spec.split('/')[0]})`);
    const parsed = parsePort(spec);
    if (typeof parsed === 'string') {
      loss('ports', `${parsed}: it is left out (write it as [address:]host:container)`);
      continue;
    }
    // Compose publishes on every address by default; sidecar on 127.0.0.1 unless one is given (DESIGN).
    if (parsed.hostIp === '127.0.0.1' && !/^(127\.0\.0\.1|localhost):/.test(spec)) loss('ports', `${spec} is published on 127.0.0.1 here, not on every address (write 0.0.0.0:${spec} for that)`);
    mappings.push(parsed);
    specs.push(spec);
  }
  return {ports: mappings, portSpecs: specs};
}

function volumes(ctx: ComposeContext, value: unknown, loss: (feature: string, message: string) => void): VolumeMount[] {
  return list(value).flatMap((entry): VolumeMount[] => {
    let source: string | undefined;
    let target: string | undefined;
    let readOnly: boolean;
    let type: string | undefined;
    if (entry && typeof entry === 'object') {
      const long = entry as Raw;
      type = text(long.type);
      source = text(long.source);
      target = text(long.target);
      readOnly = long.read_only === true;
    } else {
      const parts = String(entry).split(':');
      if (parts.length === 1) target = parts[0];
      else [source, target] = parts;
      const mode = parts[2] ?? '';
      readOnly = mode.split(',').includes('ro');
    }
    if (type === 'tmpfs' || !source || !target) {
      loss('volumes', `${JSON.stringify(entry)}: anonymous and tmpfs volumes are not carried over (give it a name)`);
      return [];
    }
    const bind = type === 'bind' || source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
    if (bind) {
      const hostPath = path.resolve(ctx.dir, source.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
      return [{type: 'bind', source, hostPath, target, readOnly}];
    }
    if (!ctx.declaredVolumes.has(source)) ctx.declaredVolumes.add(source);
    return [{type: 'volume', source, target, readOnly}];
  });
}

const RESTART: Record<string, RestartPolicy> = {no: 'never', always: 'always', 'unless-stopped': 'always', 'on-failure': 'on-failure'};
const DEFAULT_RESTART: Record<Role, RestartPolicy> = {app: 'on-failure', sidecar: 'always', init: 'never'};

function restart(value: unknown, role: Role, loss: (feature: string, message: string) => void): RestartPolicy {
  const policy = text(value);
  if (policy === undefined) return DEFAULT_RESTART[role];
  if (policy.includes('${')) {
    loss('restart', `${policy} names a variable, and Compose's policies (no, unless-stopped) are not sidecar.yaml's (never, always): the default applies; write restart yourself`);
    return DEFAULT_RESTART[role];
  }
  const mapped = RESTART[policy.replace(/:\d+$/, '')];
  if (!mapped) {
    loss('restart', `"${policy}" is not a restart policy: the default applies`);
    return DEFAULT_RESTART[role];
  }
  if (policy === 'unless-stopped') loss('restart', 'unless-stopped became always (sidecar does not restart a stack after the machine reboots)');
  return mapped;
}

type Keep = (at: string, value: string) => void;
const HEALTH_KEYS: Record<string, string> = {interval: 'interval', timeout: 'timeout', start_period: 'startPeriod'};

function duration(value: unknown, fallback: number, what: string, loss: (feature: string, message: string) => void, keep: Keep): number {
  const raw = text(value);
  if (raw === undefined) return fallback;
  if (raw.includes('${')) {
    keep(`health.${HEALTH_KEYS[what]}`, raw);
    return fallback;
  }
  const ms = parseDurationText(raw);
  if (ms === undefined) loss(`healthcheck.${what}`, `"${raw}" is not a duration: the default applies`);
  return ms ?? fallback;
}

// CMD -> exec, CMD-SHELL (or a string) -> exec [sh, -c, ...]; Compose's defaults
// (30s interval and timeout, 3 retries) carried over where the file leaves them out.
function healthcheck(value: unknown, loss: (feature: string, message: string) => void, keep: Keep): Health | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const raw = value as Raw;
  if (raw.disable === true) return undefined;
  const test = typeof raw.test === 'string' ? ['CMD-SHELL', raw.test] : list(raw.test).map(String);
  const [kind, ...rest] = test;
  let command: string[];
  if (kind === 'CMD' && rest.length > 0) command = rest;
  else if (kind === 'CMD-SHELL' && rest.length > 0) command = ['sh', '-c', rest.join(' ')];
  else {
    if (kind !== 'NONE' && kind !== undefined) loss('healthcheck.test', `${JSON.stringify(raw.test)} is not CMD or CMD-SHELL: no health check`);
    return undefined;
  }
  if (raw.start_interval !== undefined) loss('healthcheck.start_interval', 'sidecar probes every 100ms while starting, whatever start_interval says');
  const intervalMs = duration(raw.interval, 30_000, 'interval', loss, keep);
  if (typeof raw.retries === 'string' && raw.retries.includes('${')) keep('health.retries', raw.retries);
  const retries = typeof raw.retries === 'number' && raw.retries >= 1 ? raw.retries : 3;
  const startPeriodMs = duration(raw.start_period, 0, 'start_period', loss, keep);
  return {
    check: {kind: 'exec', command},
    intervalMs,
    timeoutMs: duration(raw.timeout, 30_000, 'timeout', loss, keep),
    retries,
    startPeriodMs,
    // Compose calls a container unhealthy only after start_period and `retries` failed
    // intervals: the start waits at least that long (and sidecar's default 60s).
    startTimeoutMs: Math.max(60_000, startPeriodMs + intervalMs * retries),
  };
}

function resourcesOf(raw: Raw, loss: (feature: string, message: string) => void, keep: Keep): ImportedService['resources'] {
  const limits = (((raw.deploy as Raw | undefined)?.resources as Raw | undefined)?.limits ?? {}) as Raw;
  const memory = raw.mem_limit ?? limits.memory;
  const cpus = raw.cpus ?? limits.cpus;
  const out: NonNullable<ImportedService['resources']> = {};
  if (typeof memory === 'string' && memory.includes('${')) {
    loss('mem_limit', `${memory} names a variable, and Docker's sizes (512m) are not sidecar.yaml's (512Mi): no memory limit; write resources.memory yourself`);
  } else if (memory !== undefined) {
    const bytes = dockerBytes(memory);
    const parsed = bytes === undefined ? parseMemory(memory) : parseMemory(bytes);
    if (parsed.ok) out.memoryBytes = parsed.value;
    else loss('mem_limit', `${parsed.message}: no memory limit`);
  }
  if (typeof cpus === 'string' && cpus.includes('${')) keep('resources.cpus', cpus);
  else if (cpus !== undefined) {
    const parsed = parseCpus(cpus);
    if (parsed.ok) out.cpus = parsed.value;
    else loss('cpus', `${parsed.message}: no CPU limit`);
  }
  const deploy = (raw.deploy ?? {}) as Raw;
  for (const key of Object.keys(deploy)) if (key !== 'resources') loss(`deploy.${key}`, 'one container runs here; deploy settings other than resource limits do not apply');
  return out.memoryBytes === undefined && out.cpus === undefined ? undefined : out;
}
