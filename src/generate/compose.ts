import {podsInStartOrder, servicesInStartOrder, type Manifest, type Pod, type PortMapping, type Service} from '../manifest/types.js';
import {imageOf, volumeName} from '../runtime/docker/naming.js';
import {composeHealthcheck, type ComposeHealthcheck} from './compose-healthcheck.js';
import {composeNames, type ComposeNames} from './compose-names.js';
import {containerCommand, containerEnv} from './container-env.js';
import {goDuration} from './durations.js';
import {LossList, type Loss} from './loss.js';
import {relativeTo} from './paths.js';
import {requireImages} from './require-images.js';
import {startDependencies, type WaitCondition} from './start-deps.js';
import {DEFAULT_INFRA_IMAGE} from '../runtime/infra-image.js';
import {formatMemoryDocker} from '../manifest/resources.js';

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

// Compose short syntax; IPv6 addresses in brackets. Always the loopback unless an address was given.
function portSpec(port: PortMapping): string {
  const host = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
  return `${host}:${port.hostPort}:${port.containerPort}${port.protocol === 'udp' ? '/udp' : ''}`;
}

// The pods form adds the pod (the Docker runtime labels it too); the single form's labels stay as they were.
function labels(manifest: Manifest, pod: Pod, service: string, role: string): Record<string, string> {
  const podLabel: Record<string, string> = manifest.form === 'pods' ? {'sidecar.pod': pod.name} : {};
  return {'sidecar.project': manifest.name, ...podLabel, 'sidecar.service': service, 'sidecar.role': role};
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

// The pod's network namespace and published ports. Under `after` it depends on
// every service of the pods it is after (ready where Compose can probe, else
// started), which is when the supervisor starts the pod.
function infraService(manifest: Manifest, pod: Pod, names: ComposeNames, options: ComposeOptions): ComposeService {
  const own = manifest.form === 'single' ? manifest.pods.flatMap(servicesInStartOrder) : servicesInStartOrder(pod);
  const entry: ComposeService = {
    image: options.infraImage ?? DEFAULT_INFRA_IMAGE,
    hostname: manifest.form === 'single' ? manifest.name : pod.name,
    ...(own.some((s) => s.ports.length > 0) ? {ports: own.flatMap((s) => s.ports.map(portSpec))} : {}),
  };
  const dependsOn: Record<string, {condition: string}> = {};
  for (const name of pod.after) {
    const before = manifest.pods.find((p) => p.name === name);
    for (const service of before ? [...before.sidecars, before.app] : []) dependsOn[names.of(service)] = {condition: CONDITION[composeProbed(service) ? 'ready' : 'started']};
  }
  if (Object.keys(dependsOn).length > 0) entry.depends_on = dependsOn;
  entry.restart = 'always';
  entry.labels = labels(manifest, pod, names.infra(pod), 'infra');
  return entry;
}

// Compose can wait on a probe it can run in the container: not a log probe.
function composeProbed(service: Service): boolean {
  return service.health !== undefined && service.health.check.kind !== 'log';
}

function serviceEntry(manifest: Manifest, pod: Pod, service: Service, names: ComposeNames, options: ComposeOptions, losses: LossList): ComposeService {
  const outputDir = options.outputDir ?? manifest.dir;
  const byName = new Map(servicesInStartOrder(pod).map((s) => [s.name, s]));
  const entry: ComposeService = {image: imageOf(manifest, service)};
  if (service.build) {
    entry.build = {
      context: relativeTo(outputDir, service.build.context),
      dockerfile: service.build.dockerfile,
      ...(Object.keys(service.build.args).length > 0 ? {args: service.build.args} : {}),
    };
  }
  const command = containerCommand(service);
  if (command) entry[service.replacesEntrypoint ? 'entrypoint' : 'command'] = command;
  if (service.workingDir) entry.working_dir = service.workingDir;
  const infra = names.infra(pod);
  entry.network_mode = `service:${infra}`;
  const dependsOn: Record<string, {condition: string}> = {[infra]: {condition: 'service_started'}};
  for (const dep of startDependencies(pod, composeProbed).get(service.name) ?? []) dependsOn[names.of(byName.get(dep.on)!)] = {condition: CONDITION[dep.condition]};
  entry.depends_on = dependsOn;
  const env = containerEnv(service);
  if (Object.keys(env).length > 0) entry.environment = env;
  if (service.volumes.length > 0) {
    entry.volumes = service.volumes.map((m) => `${m.type === 'volume' ? m.source : relativeTo(outputDir, m.hostPath)}:${m.target}${m.readOnly ? ':ro' : ''}`);
  }
  const healthcheck: ComposeHealthcheck | undefined = composeHealthcheck(service, losses);
  if (healthcheck) entry.healthcheck = healthcheck;
  entry.restart = restartOf(service, losses);
  Object.assign(entry, composeLimits(service));
  // As the Docker runtime does: the engine's init is PID 1, so SIGTERM stops
  // programs without a handler instead of waiting out the grace period.
  entry.init = true;
  entry.stop_signal = service.stopSignal;
  entry.stop_grace_period = goDuration(service.stopTimeoutMs);
  entry.labels = labels(manifest, pod, service.id, service.role);
  if (Object.keys(service.process.env).length > 0 || service.process.command) {
    losses.add(service.id, 'process', '`process:` overrides apply to the process runtime only and are not in the compose file');
  }
  return entry;
}

// DESIGN "Resources": as the Docker runtime sets them; memswap_limit equal to
// mem_limit so there is no swap on top of the limit.
function composeLimits(service: Service): ComposeService {
  const {memoryBytes, cpus} = service.resources ?? {};
  return {
    ...(memoryBytes !== undefined ? {mem_limit: formatMemoryDocker(memoryBytes), memswap_limit: formatMemoryDocker(memoryBytes)} : {}),
    ...(cpus !== undefined ? {cpus} : {}),
  };
}

function restartOf(service: Service, losses: LossList): string {
  if (service.maxRestarts === undefined) return RESTART[service.restart];
  if (service.restart === 'on-failure') return `on-failure:${service.maxRestarts}`;
  if (service.restart === 'always') losses.add(service.id, 'maxRestarts', `Compose cannot cap "restart: always"; maxRestarts ${service.maxRestarts} is dropped`);
  return RESTART[service.restart];
}

// DESIGN "Generated YAML" (compose): an infra service owns the network and the
// published ports; everyone joins it with `network_mode: service:<infra>`;
// `depends_on` conditions encode the start order. No `version:` key: Compose v2
// ignores it, and docker-compose 1.29 needs it absent to read the Compose
// Specification (with `service_completed_successfully`).
// DESIGN "Several pods": one infra service per pod, named after the pod, so pods
// resolve each other by name on the project's network; `after` makes a pod's
// infra service (and so the whole pod) wait for the pods it is after.
export function composeFile(manifest: Manifest, options: ComposeOptions = {}): {document: ComposeFile; losses: Loss[]} {
  requireImages(manifest, 'Compose');
  const losses = new LossList();
  const names = composeNames(manifest);
  const services: Record<string, ComposeService> = {};
  for (const pod of podsInStartOrder(manifest)) {
    services[names.infra(pod)] = infraService(manifest, pod, names, options);
    for (const service of servicesInStartOrder(pod)) services[names.of(service)] = serviceEntry(manifest, pod, service, names, options, losses);
  }

  const withSidecars = manifest.pods.filter((pod) => pod.sidecars.length > 0).map((pod) => names.of(pod.app));
  if (withSidecars.length > 0) {
    // --exit-code-from takes one service (found by a new user's trial: "run `up
    // --exit-code-from a or --exit-code-from b`" for two pods was no command at all).
    const [first] = withSidecars;
    losses.add(
      undefined,
      'lifecycle',
      withSidecars.length === 1
        ? `Compose does not stop the sidecars when the app exits; run \`up --exit-code-from ${first}\` to end the stack with the app`
        : `Compose does not stop a pod's sidecars when its app exits; \`up --exit-code-from APP\` ends the whole stack when that one app exits (APP one of ${withSidecars.join(', ')})`,
    );
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
