// The typed, normalized manifest: what every stage after load can trust.
// Durations are milliseconds; paths are absolute; defaults from DESIGN.md are applied.

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
}

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

export interface Service {
  name: string;
  role: Role;
  image?: string;
  build?: BuildSpec;
  command?: string[];
  // Process runtime working directory (absolute); defaults to the manifest directory.
  workdir: string;
  // Merged envFile + env; may still hold `${volumes.NAME}` references (see volume-refs.ts).
  env: Record<string, string>;
  ports: PortMapping[];
  volumes: VolumeMount[];
  health?: Health;
  restart: RestartPolicy;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  maxRestarts?: number;
  // Services that must be ready before this one starts (beyond declaration order).
  after: string[];
  process: ProcessOverrides;
}

export interface VolumeSpec {
  name: string;
  external: boolean;
}

export interface Manifest {
  version: 1;
  name: string;
  // Absolute path of the manifest file, and its directory (the project directory).
  file: string;
  dir: string;
  startup: StartupMode;
  app: Service;
  sidecars: Service[];
  init: Service[];
  volumes: Record<string, VolumeSpec>;
}

// Every service in start order: init jobs, sidecars (declaration order), app.
export function servicesInStartOrder(manifest: Manifest): Service[] {
  return [...manifest.init, ...manifest.sidecars, manifest.app];
}

export function findService(manifest: Manifest, name: string): Service | undefined {
  return servicesInStartOrder(manifest).find((service) => service.name === name);
}
