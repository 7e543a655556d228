import type Docker from 'dockerode';
import type {ContainerInfo} from 'dockerode';
import type {Manifest} from '../../manifest/types.js';
import {findService} from '../../manifest/types.js';
import type {UnitIdentity} from '../types.js';
import {Label, projectFilter, volumeName} from './naming.js';

function ignoreGone(error: unknown): void {
  const status = (error as {statusCode?: number}).statusCode;
  // 404: already removed; 409: removal already in progress / not running.
  if (status !== 404 && status !== 409 && status !== 304) throw error;
}

export async function projectContainers(docker: Docker, manifest: Manifest): Promise<ContainerInfo[]> {
  return docker.listContainers({all: true, filters: {label: projectFilter(manifest)}});
}

// DESIGN "Stop": the app first, then sidecars in reverse start order, then
// init leftovers, the pod (infra) last since it holds everyone's network.
function stopRank(manifest: Manifest, container: ContainerInfo): number {
  const role = container.Labels[Label.role];
  if (role === 'app') return 0;
  if (role === 'sidecar') return 1 + manifest.sidecars.length - manifest.sidecars.findIndex((s) => s.name === container.Labels[Label.service]);
  if (role === 'infra') return 10_000;
  return 5_000;
}

// Stop what a dead supervisor left running, found by label, in lifecycle order;
// the engine sends each container's StopSignal and SIGKILLs after its stopTimeout.
export async function reapContainers(docker: Docker, manifest: Manifest, known: UnitIdentity[]): Promise<UnitIdentity[]> {
  const containers = (await projectContainers(docker, manifest)).filter((c) => c.State === 'running' || c.State === 'restarting' || c.State === 'paused');
  const knownIds = new Set(known.flatMap((identity) => (identity.kind === 'docker' ? [identity.containerId] : [])));
  // Labels prove ownership; a known id is only honoured when it carries them too.
  containers.sort((a, b) => stopRank(manifest, a) - stopRank(manifest, b) || Number(knownIds.has(b.Id)) - Number(knownIds.has(a.Id)));
  const stopped: UnitIdentity[] = [];
  for (const container of containers) {
    if (container.Labels[Label.role] === 'infra') continue;
    const service = findService(manifest, container.Labels[Label.service] ?? '');
    const seconds = Math.ceil((service?.stopTimeoutMs ?? 10_000) / 1000);
    await docker.getContainer(container.Id).stop({t: seconds}).catch(ignoreGone);
    stopped.push({kind: 'docker', containerId: container.Id});
  }
  return stopped;
}

// Remove every container of the project (anonymous volumes with them), the pod
// last; named volumes only when asked (`down --volumes`), never external ones.
export async function removeProject(docker: Docker, manifest: Manifest, removeVolumes: boolean): Promise<void> {
  const containers = await projectContainers(docker, manifest);
  const remove = (c: ContainerInfo): Promise<void> => docker.getContainer(c.Id).remove({force: true, v: true}).catch(ignoreGone);
  await Promise.all(containers.filter((c) => c.Labels[Label.role] !== 'infra').map(remove));
  await Promise.all(containers.filter((c) => c.Labels[Label.role] === 'infra').map(remove));
  if (!removeVolumes) return;
  const names = Object.values(manifest.volumes).filter((v) => !v.external).map((v) => volumeName(manifest, v.name));
  await Promise.all(names.map((name) => docker.getVolume(name).remove().catch(ignoreGone)));
}
