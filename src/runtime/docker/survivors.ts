import type {UnitIdentity} from '../types.js';
import {engineIfAny} from './engine.js';
import {Label} from './naming.js';

// Containers of a stack whose supervisor died, as `ps` shows them: running ones
// that carry the project's label AND whose id state.json recorded (labels alone
// could name another directory's stack of the same name; a recorded id alone
// could be a container the user re-created). Service name → container id.
// Without an engine (it is down too) nothing is known to run: an empty map.
export async function survivingContainers(project: string, recorded: UnitIdentity[]): Promise<Map<string, string>> {
  const ids = new Set(recorded.flatMap((i) => (i.kind === 'docker' ? [i.containerId] : [])));
  const found = new Map<string, string>();
  if (ids.size === 0) return found;
  const docker = await engineIfAny();
  if (!docker) return found;
  const containers = await docker.listContainers({filters: {label: [`${Label.project}=${project}`], status: ['running']}});
  for (const c of containers) {
    const service = c.Labels[Label.service];
    if (service && c.Labels[Label.role] !== 'infra' && ids.has(c.Id)) found.set(service, c.Id);
  }
  return found;
}
