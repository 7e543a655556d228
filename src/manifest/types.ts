// The typed, normalized manifest: what every stage after load can trust.
// Durations are milliseconds; paths are absolute; defaults from DESIGN.md are applied.
import type {Resources} from './resources.js';

export type {Resources} from './resources.js';

export type Role = 'app' | 'sidecar' | 'init';
export type RestartPolicy = 'always' | 'on-failure' | 'never';
export type StartupMode = 'ordered' | 'parallel';

export interface HttpCheck {
  kind: 'http';
  port: number;
  path: string;
  scheme: 'http' | 'https';
  headers: Record<string, string>;
}
export interface TcpCheck {
  kind: 'tcp';
  port: number;
}
export interface ExecCheck {
  kind: 'exec';
  command: string[];
}
export interface LogCheck {
  kind: 'log';
  pattern: string;
}
export type Check = HttpCheck | TcpCheck | ExecCheck | LogCheck;

export interface Health {
  check: Check;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startTimeoutMs: number;
  // What `retries` failures after ready do: restart the service (DESIGN 3, the
  // default), or only mark it unhealthy, as a Kubernetes readinessProbe does (set
  // when a `liveness` check owns restarts, and for every Kubernetes input).
  afterReady?: 'restart' | 'mark';
}

// A liveness check (Kubernetes `livenessProbe`): run from the moment the service is
// ready, `retries` consecutive failures (after `startPeriod` from its start) restart it.
export type Liveness = Omit<Health, 'startTimeoutMs' | 'afterReady'> & {check: HttpCheck | TcpCheck | ExecCheck};

export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

// `logs:/var/log/app` (named volume) or `./config:/etc/app:ro` (bind, hostPath absolute).
export type VolumeMount =
  | {type: 'volume'; source: string; target: string; readOnly: boolean}
  | {type: 'bind'; source: string; hostPath: string; target: string; readOnly: boolean};

export interface BuildSpec {
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  // Hash of the context's files (minus .dockerignore), dockerfile and args, set
  // by `up`/`run` for the Docker runtime so a changed context is a changed service.
  hash?: string;
}

// Fields the process runtime uses instead of the container ones (`process:` in the manifest).
export interface ProcessOverrides {
  command?: string[];
  env: Record<string, string>;
  workdir?: string;
}

export type WatchAction = 'restart' | 'sync' | 'sync+restart' | 'rebuild';

// One `watch:` rule (DESIGN "Watch: the inner loop"): `path` is absolute and
// inside the project; `ignore` holds .dockerignore-syntax patterns relative to it.
export interface WatchRule {
  path: string;
  action: WatchAction;
  target?: string;
  ignore: string[];
}

export interface Service {
  name: string;
  // The pod it belongs to, and its id in the stack: the bare name in the
  // single-pod form, `POD/SERVICE` in the `pods:` form. Everything keyed by a
  // service (units, log files, log lines, events, state, control requests) uses
  // the id, so a single-pod stack reads exactly as before pods existed.
  pod: string;
  id: string;
  role: Role;
  image?: string;
  build?: BuildSpec;
  command?: string[];
  // Process runtime working directory (absolute); defaults to the manifest directory.
  workdir: string;
  // Merged envFile + env; may still hold `${volumes.NAME}` references (see volume-refs.ts).
  env: Record<string, string>;
  ports: PortMapping[];
  // Ports the program listens on that `ports` does not publish (a Kubernetes
  // containerPort without hostPort): under the process runtime they are the
  // host's, so they are checked free before a start, as published ones are.
  listens?: {port: number; protocol: 'tcp' | 'udp'}[];
  volumes: VolumeMount[];
  health?: Health;
  liveness?: Liveness;
  restart: RestartPolicy;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  maxRestarts?: number;
  // Services that must be ready before this one starts (beyond declaration order).
  after: string[];
  process: ProcessOverrides;
  // `up --watch` rules; empty when the service has none.
  watch: WatchRule[];
  // Memory and CPU limits (DESIGN "Resources"); absent when the service has none.
  resources?: Resources;
  // The working directory inside the container (Kubernetes `workingDir`); the
  // image's own when absent. The process runtime uses `workdir`.
  workingDir?: string;
  // A Kubernetes regular container beside the app (DESIGN: "further containers ->
  // sidecars started in parallel, as Kubernetes starts them"): it starts with the
  // app, after the native sidecars, and the app does not wait for it to be ready.
  withApp?: boolean;
  // Kubernetes `command`: `command` replaces the image's ENTRYPOINT too, not only
  // its CMD (a sidecar.yaml's `command` is the CMD, as in Compose).
  replacesEntrypoint?: boolean;
}

export interface VolumeSpec {
  name: string;
  external: boolean;
  // Removed with the stack by `down`, as Kubernetes removes an emptyDir with its
  // pod (issue 12.1); other named volumes stay until `down --volumes`.
  ephemeral?: boolean;
}

// One pod: an app, its sidecars and init jobs, with the single-pod lifecycle of DESIGN.md.
export interface Pod {
  name: string;
  startup: StartupMode;
  // Pods that must be ready before this one starts (`after:` in the `pods:` form).
  after: string[];
  app: Service;
  sidecars: Service[];
  init: Service[];
}

export interface Manifest {
  version: 1;
  name: string;
  // Absolute path of the manifest file, and its directory (the project directory).
  file: string;
  dir: string;
  // `single`: top-level app/sidecars/init, a stack of one pod named after the
  // project. `pods`: the `pods:` form, one or more pods.
  form: 'single' | 'pods';
  pods: Pod[];
  volumes: Record<string, VolumeSpec>;
  // Files `up` writes before anything starts: the ConfigMap and Secret volumes of a
  // Kubernetes file (issue 12.1), mounted read-only from under .sidecar/k8s/.
  files?: ManifestFiles[];
  // Where it was read from: a sidecar.yaml, or Kubernetes YAML mapped on load.
  source?: 'kubernetes';
}

// One directory of files, rewritten whole by `up` (a key removed from a ConfigMap disappears).
export interface ManifestFiles {
  dir: string;
  files: {name: string; contentBase64: string; mode: number}[];
}

// The checks the supervisor runs against a service, with the manifest key each is under.
export function checksOf(service: Service): {key: 'health' | 'liveness'; check: Check}[] {
  return [
    ...(service.health ? [{key: 'health' as const, check: service.health.check}] : []),
    ...(service.liveness ? [{key: 'liveness' as const, check: service.liveness.check}] : []),
  ];
}

// Every service of one pod in start order: init jobs, sidecars (declaration order), app.
export function servicesInStartOrder(pod: Pod): Service[] {
  return [...pod.init, ...pod.sidecars, pod.app];
}

// Pods in an order that respects `after` (a pod after every pod it is after),
// declaration order otherwise. Cycles are rejected when the manifest loads.
export function podsInStartOrder(manifest: Manifest): Pod[] {
  const byName = new Map(manifest.pods.map((pod) => [pod.name, pod]));
  const ordered: Pod[] = [];
  const seen = new Set<string>();
  const visit = (pod: Pod, path: Set<string>): void => {
    if (seen.has(pod.name) || path.has(pod.name)) return;
    path.add(pod.name);
    for (const name of pod.after) {
      const before = byName.get(name);
      if (before) visit(before, path);
    }
    seen.add(pod.name);
    ordered.push(pod);
  };
  for (const pod of manifest.pods) visit(pod, new Set());
  return ordered;
}

// Every service of every pod: pods in start order, each pod's services in start order.
export function allServices(manifest: Manifest): Service[] {
  return podsInStartOrder(manifest).flatMap(servicesInStartOrder);
}

export function podOf(manifest: Manifest, service: Service): Pod {
  const pod = manifest.pods.find((p) => p.name === service.pod);
  if (!pod) throw new Error(`service ${service.id} names pod ${service.pod}, which the manifest does not have`);
  return pod;
}

// A service by its id (`POD/SERVICE` or, in the single form, its name), or by its
// bare name where exactly one pod has it. Use resolveServiceRef for the user's words.
export function findService(manifest: Manifest, ref: string): Service | undefined {
  const services = allServices(manifest);
  const byId = services.find((service) => service.id === ref);
  if (byId) return byId;
  const named = services.filter((service) => service.name === ref);
  return named.length === 1 ? named[0] : undefined;
}
