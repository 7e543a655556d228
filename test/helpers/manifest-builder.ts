import path from 'node:path';
import type {Manifest, Service} from '../../src/manifest/types.js';

// Builds typed manifests by hand for tests that must not depend on the loader.
export function service(name: string, role: Service['role'], overrides: Partial<Service> = {}): Service {
  return {
    name,
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
    ...overrides,
  };
}

export function manifest(parts: {name?: string; dir?: string; app: Service; sidecars?: Service[]; init?: Service[]; volumes?: string[]; startup?: Manifest['startup']}): Manifest {
  const dir = parts.dir ?? process.cwd();
  return {
    version: 1,
    name: parts.name ?? 'test',
    file: path.join(dir, 'sidecar.yaml'),
    dir,
    startup: parts.startup ?? 'ordered',
    app: parts.app,
    sidecars: parts.sidecars ?? [],
    init: parts.init ?? [],
    volumes: Object.fromEntries((parts.volumes ?? []).map((v) => [v, {name: v, external: false}])),
  };
}
