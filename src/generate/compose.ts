import {allServices, onlyPod, type Manifest, type PortMapping, type Service} from '../manifest/types.js';
import {imageOf, volumeName} from '../runtime/docker/naming.js';
import {composeHealthcheck, type ComposeHealthcheck} from './compose-healthcheck.js';
import {containerCommand, containerEnv} from './container-env.js';
import {goDuration} from './durations.js';
import {LossList, type Loss} from './loss.js';
import {relativeTo} from './paths.js';
import {requireImages} from './require-images.js';
import {startDependencies, type WaitCondition} from './start-deps.js';
import {DEFAULT_INFRA_IMAGE} from '../runtime/infra-image.js';

export {DEFAULT_INFRA_IMAGE} from '../runtime/infra-image.js';

export interface ComposeOptions {
  // Image of the infra service that owns the pod's network (SIDECAR_INFRA_IMAGE).
  infraImage?: string;
  // Directory the compose file will live in; relative paths are written against it.
  outputDir?: string;
}

type ComposeService = Record<string, unknown>;
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, Record<string, unknown>>;
}

const CONDITION: Record<WaitCondition, string> = {
  completed: 'service_completed_successfully',
  ready: 'service_healthy',
  started: 'service_started',
};
const RESTART: Record<Service['restart'], string> = {always: 'always', 'on-failure': 'on-failure', never: 'no'};

// The infra service's name: `pod`, unless a service already has it.
function infraName(manifest: Manifest): string {
  const taken = new Set(allServices(manifest).map((s) => s.name));
  let name = 'pod';
  for (let i = 2; taken.has(name); i++) name = `pod-${i}`;
  return name;
}

// Compose short syntax; IPv6 addresses in brackets. Always the loopback unless an address was given.
function portSpec(port: PortMapping): string {
  const host = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
  return `${host}:${port.hostPort}:${port.containerPort}${port.protocol === 'udp' ? '/udp' : ''}`;
}

function labels(manifest: Manifest, service: string, role: string): Record<string, string> {
  return {'sidecar.project': manifest.name, 'sidecar.service': service, 'sidecar.role': role};
}

// Compose interpolates `$` in every value; what the manifest meant literally must stay literal.
function escapeDollars<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$') as T;
  if (Array.isArray(value)) return value.map(escapeDollars) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v)])) as T;
  }
  return value;
}

function restartOf(service: Service, losses: LossList): string {
  if (service.maxRestarts === undefined) return RESTART[service.restart];
  if (service.restart === 'on-failure') return `on-failure:${service.maxRestarts}`;
  if (service.restart === 'always') losses.add(service.name, 'maxRestarts', `Compose cannot cap "restart: always"; maxRestarts ${service.maxRestarts} is dropped`);
  return RESTART[service.restart];
}

// DESIGN "Generated YAML" (compose): an infra service owns the network and the
// published ports; everyone joins it with `network_mode: service:<infra>`;
// `depends_on` conditions encode the start order. No `version:` key: Compose v2
// ignores it, and docker-compose 1.29 needs it absent to read the Compose
// Specification (with `service_completed_successfully`).
export function composeFile(manifest: Manifest, options: ComposeOptions = {}): {document: ComposeFile; losses: Loss[]} {
  requireImages(manifest, 'Compose');
  const losses = new LossList();
  const outputDir = options.outputDir ?? manifest.dir;
  const infra = infraName(manifest);
  const deps = startDependencies(onlyPod(manifest), (s) => s.health !== undefined && s.health.check.kind !== 'log');
  const all = allServices(manifest);

  const services: Record<string, ComposeService> = {};
  services[infra] = {
    image: options.infraImage ?? DEFAULT_INFRA_IMAGE,
    hostname: manifest.name,
    ...(all.some((s) => s.ports.length > 0) ? {ports: all.flatMap((s) => s.ports.map(portSpec))} : {}),
    restart: 'always',
    labels: labels(manifest, infra, 'infra'),
  };

  for (const service of all) {
    const entry: ComposeService = {image: imageOf(manifest, service)};
    if (service.build) {
      entry.build = {
        context: relativeTo(outputDir, service.build.context),
        dockerfile: service.build.dockerfile,
        ...(Object.keys(service.build.args).length > 0 ? {args: service.build.args} : {}),
      };
    }
    const command = containerCommand(service);
    if (command) entry.command = command;
    entry.network_mode = `service:${infra}`;
    const dependsOn: Record<string, {condition: string}> = {[infra]: {condition: 'service_started'}};
    for (const dep of deps.get(service.name) ?? []) dependsOn[dep.on] = {condition: CONDITION[dep.condition]};
    entry.depends_on = dependsOn;
    const env = containerEnv(service);
    if (Object.keys(env).length > 0) entry.environment = env;
    if (service.volumes.length > 0) {
      entry.volumes = service.volumes.map((m) => `${m.type === 'volume' ? m.source : relativeTo(outputDir, m.hostPath)}:${m.target}${m.readOnly ? ':ro' : ''}`);
    }
    const healthcheck: ComposeHealthcheck | undefined = composeHealthcheck(service, losses);
    if (healthcheck) entry.healthcheck = healthcheck;
    entry.restart = restartOf(service, losses);
    // As the Docker runtime does: the engine's init is PID 1, so SIGTERM stops
    // programs without a handler instead of waiting out the grace period.
    entry.init = true;
    entry.stop_signal = service.stopSignal;
    entry.stop_grace_period = goDuration(service.stopTimeoutMs);
    entry.labels = labels(manifest, service.name, service.role);
    services[service.name] = entry;
    if (Object.keys(service.process.env).length > 0 || service.process.command) {
      losses.add(service.name, 'process', '`process:` overrides apply to the process runtime only and are not in the compose file');
    }
  }

  if (onlyPod(manifest).sidecars.length > 0) {
    losses.add(undefined, 'lifecycle', 'Compose does not stop the sidecars when the app exits; run `up --exit-code-from app` to end the stack with the app');
  }
  losses.add(undefined, 'restart', 'Docker restarts with its own backoff (100ms doubling, no jitter, no reset after 30s healthy), not sidecar\'s');
  losses.add(undefined, 'name', `docker-compose 1.29 has no top-level \`name:\`; run it with \`-p ${manifest.name}\` to use the manifest's project name`);

  const document: ComposeFile = {services};
  const volumes = Object.values(manifest.volumes);
  if (volumes.length > 0) {
    // Issue 8.12: our volumes carry the project label the services carry, so they are
    // found by label like the containers; external ones are not ours (and Compose
    // v1 refuses labels beside `external`).
    document.volumes = Object.fromEntries(
      volumes.map((v) => [v.name, v.external ? {external: true, name: v.name} : {name: volumeName(manifest, v.name), labels: {'sidecar.project': manifest.name}}]),
    );
  }
  return {document: escapeDollars(document), losses: losses.list()};
}
