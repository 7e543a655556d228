import type {Manifest, Pod, Role, Service} from '../../manifest/types.js';
import {sha256Hex} from '../sha256-hex.js';

// Everything the runtime creates carries these labels, so `down` and `reap`
// find it by label even when the supervisor that created it is gone
// (testcontainers' reaper model).
export const Label = {
  project: 'sidecar.project',
  // Two directories may use the same project name; the directory hash keeps them apart.
  projectDir: 'sidecar.project-dir',
  // The service's id (the bare name in the single form, `POD/SERVICE` with pods).
  service: 'sidecar.service',
  // The pod a container belongs to (its infra container too).
  pod: 'sidecar.pod',
  role: 'sidecar.role',
  configHash: 'sidecar.config-hash',
} as const;

export type ContainerRole = Role | 'infra';

export function shortHash(value: string, length = 12): string {
  return sha256Hex(value).slice(0, length);
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

// Containers of the single form keep the names they had before pods existed:
// `<project>_<dirhash>` is the pod (infra container), `<project>_<dirhash>_<service>`
// the units. With `pods:`, `<project>_<dirhash>_<pod>` and `<project>_<dirhash>_<pod>_<service>`.
// Pod and service names are [a-z0-9-], so no unit name can produce an infra name
// within one form.
function baseName(manifest: Manifest): string {
  return `${manifest.name}_${projectDirHash(manifest)}`;
}

export function infraName(manifest: Manifest, pod: string): string {
  return manifest.form === 'single' ? baseName(manifest) : `${baseName(manifest)}_${pod}`;
}

export function containerName(manifest: Manifest, service: Service): string {
  return `${infraName(manifest, service.pod)}_${service.name}`;
}

// The project's user-defined network (pods form only): pods resolve each other by
// name through its embedded DNS, as Compose's `<project>_default` network does.
// The single form keeps the default bridge it always had: one pod has no one to
// resolve (its own name is its hostname, in /etc/hosts).
export function networkName(manifest: Manifest): string | undefined {
  return manifest.form === 'single' ? undefined : baseName(manifest);
}

export function podLabels(manifest: Manifest, pod: Pod | string): Record<string, string> {
  return {...projectLabels(manifest), [Label.pod]: typeof pod === 'string' ? pod : pod.name};
}

// Compose's `<project>_<volume>`, so a generated compose file and `sidecar up` share data.
export function volumeName(manifest: Manifest, volume: string): string {
  return `${manifest.name}_${volume}`;
}

// The image a service runs: its `image`, or for a build-only service
// `<project>-<service>` (`<project>-<pod>_<service>` with pods: two pods may both have an `app`).
export function imageOf(manifest: Manifest, service: Service): string {
  if (service.image) return service.image;
  // Pod and service names are [a-z0-9-]: `_` between them keeps pod a's `b-c` and pod a-b's `c` apart.
  return manifest.form === 'single' ? `${manifest.name}-${service.name}:latest` : `${manifest.name}-${service.pod}_${service.name}:latest`;
}
