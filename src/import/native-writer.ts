import path from 'node:path';
import {Document, isMap, type Node} from 'yaml';
import {formatDuration} from '../manifest/duration.js';
import {formatLoss, type Loss} from '../manifest/loss.js';
import {DEFAULTS} from '../manifest/normalize.js';
import {formatMemory} from '../manifest/resources.js';
import type {Health, Manifest, Pod, Role, Service, VolumeMount} from '../manifest/types.js';

// What a reader knows that the Manifest model does not keep: a compose service's
// env_file stays a reference (the values are not copied into sidecar.yaml).
export interface ImportedService extends Service {
  envFile?: string[];
  // Every port as written, when one names a variable (`${WEB_PORT:-8080}:80`): interpolated by sidecar.yaml as by Compose.
  portSpecs?: string[];
  // sidecar.yaml fields (`health.interval`, `stopTimeout`) written as the file wrote them, naming a variable.
  verbatim?: Record<string, string>;
}

export interface WriteOptions {
  // Directory the sidecar.yaml is written to: bind mounts and build contexts are relative to it.
  outputDir: string;
  // Kubernetes values are literal: `$` is written `$$` so interpolation leaves them as they were.
  // A compose file's `${VAR}` means what it means in sidecar.yaml, so it stays.
  escapeDollars: boolean;
  // Rename named volumes (Kubernetes' POD-VOLUME back to VOLUME when there is one pod).
  volumeName?: (name: string) => string;
}

const DEFAULT_RESTART: Record<Role, Service['restart']> = {app: 'on-failure', sidecar: 'always', init: 'never'};
type Raw = Record<string, unknown>;

// Manifest -> sidecar.yaml text (issue 12.3): the single form for one pod, the
// `pods:` form otherwise; defaults left out; every loss as a `# not carried over:`
// comment above the service it concerns (or the file). Same input, same bytes.
export function writeNative(manifest: Manifest, losses: readonly Loss[], options: WriteOptions): string {
  const w = new Writer(options);
  const single = manifest.pods.length === 1;
  const data: Raw = {version: 1, name: single ? validName(manifest.pods[0]!.name, manifest.name) : manifest.name};
  if (single) Object.assign(data, w.pod(manifest.pods[0]!, false));
  else data.pods = Object.fromEntries(manifest.pods.map((pod) => [pod.name, w.pod(pod, true)]));
  const volumes = Object.values(manifest.volumes).map((spec) => [w.volume(spec.name), spec.external ? {external: true} : {}] as const);
  if (volumes.length > 0) data.volumes = Object.fromEntries(volumes);

  const doc = new Document(data);
  const byService = new Map<string, string[]>();
  const general: string[] = [];
  for (const loss of losses) {
    const owner = loss.service !== undefined ? serviceFor(manifest, loss.service) : undefined;
    if (owner) byService.set(owner, [...(byService.get(owner) ?? []), formatLoss({feature: loss.feature, message: loss.message})]);
    else general.push(formatLoss(loss));
  }
  for (const pod of manifest.pods) {
    for (const service of [pod.app, ...pod.sidecars, ...pod.init]) {
      const lines = byService.get(service.id);
      if (!lines) continue;
      const where = service.role === 'app' ? ['app'] : [service.role === 'init' ? 'init' : 'sidecars', service.name];
      const node = doc.getIn(single ? where : ['pods', pod.name, ...where], true) as Node | undefined;
      if (node && isMap(node)) node.commentBefore = comment(lines);
    }
  }
  const header = [` Imported by \`sidecar import\` from ${path.basename(manifest.file)}.`];
  if (general.length > 0) header.push(comment(general));
  doc.commentBefore = header.join('\n');
  return doc.toString({lineWidth: 0, minContentWidth: 0, indentSeq: true});
}

function comment(lines: string[]): string {
  return lines.map((line) => ` not carried over: ${line.replace(/\n/g, ' ')}`).join('\n');
}

// A loss names a service by id (`POD/NAME`) or, for a single pod, by its name.
function serviceFor(manifest: Manifest, ref: string): string | undefined {
  const all = manifest.pods.flatMap((pod) => [pod.app, ...pod.sidecars, ...pod.init]);
  return (all.find((s) => s.id === ref) ?? all.find((s) => s.name === ref))?.id;
}

function validName(name: string, fallback: string): string {
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name) ? name : fallback;
}

class Writer {
  constructor(private readonly options: WriteOptions) {}

  volume(name: string): string {
    return this.options.volumeName ? this.options.volumeName(name) : name;
  }

  str(value: string): string {
    return this.options.escapeDollars ? value.replace(/\$/g, '$$$$') : value;
  }

  pod(pod: Pod, withAfter: boolean): Raw {
    const out: Raw = {};
    if (withAfter && pod.after.length > 0) out.after = [...pod.after];
    if (pod.startup === 'parallel') out.startup = 'parallel';
    out.app = this.service(pod.app);
    if (pod.sidecars.length > 0) out.sidecars = Object.fromEntries(pod.sidecars.map((s) => [s.name, this.service(s)]));
    if (pod.init.length > 0) out.init = Object.fromEntries(pod.init.map((s) => [s.name, this.service(s)]));
    return out;
  }

  service(service: ImportedService): Raw {
    const out: Raw = {};
    if (service.role === 'app' && service.name !== 'app') out.name = service.name;
    if (service.image !== undefined) out.image = this.str(service.image);
    if (service.build) {
      const context = this.relative(service.build.context);
      const extra = service.build.dockerfile !== 'Dockerfile' || Object.keys(service.build.args).length > 0;
      out.build = extra
        ? {context, ...(service.build.dockerfile !== 'Dockerfile' ? {dockerfile: service.build.dockerfile} : {}), ...(Object.keys(service.build.args).length > 0 ? {args: this.strings(service.build.args)} : {})}
        : context;
    }
    if (service.command) out.command = service.command.map((arg) => this.str(arg));
    if (service.envFile && service.envFile.length > 0) out.envFile = [...service.envFile];
    if (Object.keys(service.env).length > 0) out.env = this.strings(service.env);
    if (service.portSpecs) out.ports = [...service.portSpecs];
    else if (service.ports.length > 0) out.ports = service.ports.map((p) => `${p.hostIp === '127.0.0.1' ? '' : `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:`}${p.hostPort}:${p.containerPort}${p.protocol === 'udp' ? '/udp' : ''}`);
    if (service.volumes.length > 0) out.volumes = service.volumes.map((mount) => this.mount(mount));
    if (service.health) out.health = this.health(service.health);
    if (service.liveness) out.liveness = this.health({...service.liveness, startTimeoutMs: DEFAULTS.startTimeoutMs});
    else if (service.health?.afterReady === 'mark') out.liveness = false;
    if (service.restart !== DEFAULT_RESTART[service.role]) out.restart = service.restart;
    if (service.stopSignal !== DEFAULTS.stopSignal) out.stopSignal = service.stopSignal;
    if (service.stopTimeoutMs !== DEFAULTS.stopTimeoutMs) out.stopTimeout = formatDuration(service.stopTimeoutMs);
    if (service.maxRestarts !== undefined) out.maxRestarts = service.maxRestarts;
    if (service.resources) {
      out.resources = {
        ...(service.resources.memoryBytes !== undefined ? {memory: formatMemory(service.resources.memoryBytes)} : {}),
        ...(service.resources.cpus !== undefined ? {cpus: service.resources.cpus} : {}),
      };
    }
    if (service.after.length > 0) out.after = [...service.after];
    for (const [at, text] of Object.entries(service.verbatim ?? {})) {
      const keys = at.split('.');
      let node = out;
      for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Raw;
      node[keys.at(-1)!] = text;
    }
    if (service.withApp) out.withApp = true;
    return out;
  }

  strings(values: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, this.str(value)]));
  }

  relative(target: string): string {
    const rel = path.relative(this.options.outputDir, target) || '.';
    return rel.startsWith('..') || path.isAbsolute(rel) ? target : rel === '.' ? '.' : `./${rel}`;
  }

  mount(mount: VolumeMount): string {
    const source = mount.type === 'volume' ? this.volume(mount.source) : this.relative(mount.hostPath);
    return `${source}:${mount.target}${mount.readOnly ? ':ro' : ''}`;
  }

  health(health: Health): Raw {
    const out: Raw = {};
    const check = health.check;
    if (check.kind === 'http') {
      out.http = {
        port: check.port,
        path: check.path,
        ...(check.scheme === 'https' ? {scheme: 'https'} : {}),
        ...(Object.keys(check.headers).length > 0 ? {headers: this.strings(check.headers)} : {}),
      };
    } else if (check.kind === 'tcp') out.tcp = {port: check.port};
    else if (check.kind === 'exec') out.exec = check.command.map((arg) => this.str(arg));
    else out.log = this.str(check.pattern);
    if (health.intervalMs !== DEFAULTS.intervalMs) out.interval = formatDuration(health.intervalMs);
    if (health.timeoutMs !== DEFAULTS.timeoutMs) out.timeout = formatDuration(health.timeoutMs);
    if (health.retries !== DEFAULTS.retries) out.retries = health.retries;
    if (health.startPeriodMs !== DEFAULTS.startPeriodMs) out.startPeriod = formatDuration(health.startPeriodMs);
    if (health.startTimeoutMs !== DEFAULTS.startTimeoutMs) out.startTimeout = formatDuration(health.startTimeoutMs);
    return out;
  }
}
