import {createHash} from 'node:crypto';
import type {Manifest, Role, Service} from '../../manifest/types.js';

// Everything the runtime creates carries these labels, so `down` and `reap`
// find it by label even when the supervisor that created it is gone
// (testcontainers' reaper model).
export const Label = {
  project: 'sidecar.project',
  // Two directories may use the same project name; the directory hash keeps them apart.
  projectDir: 'sidecar.project-dir',
  service: 'sidecar.service',
  role: 'sidecar.role',
  configHash: 'sidecar.config-hash',
} as const;

export type ContainerRole = Role | 'infra';

export function shortHash(value: string, length = 12): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

export function projectDirHash(manifest: Manifest): string {
  return shortHash(manifest.dir, 8);
}

export function projectLabels(manifest: Manifest): Record<string, string> {
  return {[Label.project]: manifest.name, [Label.projectDir]: projectDirHash(manifest)};
}

// The engine-side filter selecting this project's objects (and only this directory's).
export function projectFilter(manifest: Manifest): string[] {
  return Object.entries(projectLabels(manifest)).map(([key, value]) => `${key}=${value}`);
}

// `<project>_<dirhash>` is the pod (infra container); `<project>_<dirhash>_<service>` the units.
// Service names are [a-z0-9-], so no service name can produce the infra name.
export function podName(manifest: Manifest): string {
  return `${manifest.name}_${projectDirHash(manifest)}`;
}

export function containerName(manifest: Manifest, service: Service): string {
  return `${podName(manifest)}_${service.name}`;
}

// Compose's `<project>_<volume>`, so a generated compose file and `sidecar up` share data.
export function volumeName(manifest: Manifest, volume: string): string {
  return `${manifest.name}_${volume}`;
}

// The image a service runs: its `image`, or for a build-only service `<project>-<service>`.
export function imageOf(manifest: Manifest, service: Service): string {
  return service.image ?? `${manifest.name}-${service.name}:latest`;
}
