import {allServices, type Manifest, type Service} from '../manifest/types.js';

// `up` on a running stack (Compose's convergence): which services changed, and
// whether the change is to the pod itself, which cannot be taken in place.
// Watch rules are not part of what runs: changing them never recreates a service.
export function configKey(service: Service): string {
  const {watch: _watch, ...running} = service;
  return JSON.stringify(running);
}

// What makes a new manifest a different pod rather than changed services.
export function podShapeChange(current: Manifest, next: Manifest): string | undefined {
  const names = (m: Manifest) => allServices(m).map((s) => `${s.role}:${s.id}`).join(',');
  if (names(current) !== names(next)) return 'adds, removes or reorders services';
  if (JSON.stringify(current.volumes) !== JSON.stringify(next.volumes)) return 'changes the volumes';
  const ports = (m: Manifest) => JSON.stringify(allServices(m).map((s) => s.ports));
  if (ports(current) !== ports(next)) return 'changes published ports';
  if (current.name !== next.name || JSON.stringify(current.pods.map((p) => [p.name, p.startup, p.after])) !== JSON.stringify(next.pods.map((p) => [p.name, p.startup, p.after]))) return 'changes the project name, the pods or their start-up mode';
  return undefined;
}
