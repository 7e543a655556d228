import path from 'node:path';
import type {Manifest, Pod, Service} from '../../src/manifest/types.js';

// Builds typed manifests by hand for tests that must not depend on the loader.
export function service(name: string, role: Service['role'], overrides: Partial<Service> = {}): Service {
  return {
    name,
    pod: 'test',
    id: name,
    role,
    workdir: overrides.workdir ?? process.cwd(),
    env: {},
    ports: [],
    volumes: [],
    restart: role === 'sidecar' ? 'always' : role === 'init' ? 'never' : 'on-failure',
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
    after: [],
    process: {env: {}},
    watch: [],
    ...overrides,
  };
}

// A single-form manifest: one pod named after the project, services keyed by their bare names.
export function manifest(parts: {name?: string; dir?: string; app: Service; sidecars?: Service[]; init?: Service[]; volumes?: string[]; startup?: Pod['startup']}): Manifest {
  const dir = parts.dir ?? process.cwd();
  const name = parts.name ?? 'test';
  const own = (s: Service): Service => ({...s, pod: name, id: s.name});
  return {
    version: 1,
    name,
    file: path.join(dir, 'sidecar.yaml'),
    dir,
    form: 'single',
    pods: [{name, startup: parts.startup ?? 'ordered', after: [], app: own(parts.app), sidecars: (parts.sidecars ?? []).map(own), init: (parts.init ?? []).map(own)}],
    volumes: Object.fromEntries((parts.volumes ?? []).map((v) => [v, {name: v, external: false}])),
  };
}

// A `pods:`-form manifest: each service's id is POD/SERVICE, as normalize.ts builds it.
export function podsManifest(parts: {
  name?: string;
  dir?: string;
  pods: {name: string; app: Service; sidecars?: Service[]; init?: Service[]; after?: string[]; startup?: Pod['startup']}[];
  volumes?: string[];
}): Manifest {
  const dir = parts.dir ?? process.cwd();
  return {
    version: 1,
    name: parts.name ?? 'test',
    file: path.join(dir, 'sidecar.yaml'),
    dir,
    form: 'pods',
    pods: parts.pods.map((pod) => {
      const own = (s: Service): Service => ({...s, pod: pod.name, id: `${pod.name}/${s.name}`});
      return {name: pod.name, startup: pod.startup ?? 'ordered', after: pod.after ?? [], app: own(pod.app), sidecars: (pod.sidecars ?? []).map(own), init: (pod.init ?? []).map(own)};
    }),
    volumes: Object.fromEntries((parts.volumes ?? []).map((v) => [v, {name: v, external: false}])),
  };
}

export interface PodParts {
  after?: string[];
  startup?: Pod['startup'];
  app: Service;
  sidecars?: Service[];
  init?: Service[];
}

// The same, with the pods as the manifest writes them: a map from pod name to pod.
export function podsByName(parts: {name?: string; dir?: string; pods: Record<string, PodParts>; volumes?: string[]}): Manifest {
  return podsManifest({...parts, pods: Object.entries(parts.pods).map(([name, pod]) => ({name, ...pod}))});
}
