import type Docker from 'dockerode';
import type {ContainerInfo} from 'dockerode';
import type {Manifest} from '../../manifest/types.js';
import {findService} from '../../manifest/types.js';
import type {UnitIdentity} from '../types.js';
import {notRunning, removeAndWait, statusOf} from './engine-errors.js';
import {Label, projectFilter, volumeName} from './naming.js';
import {removeNetworks} from './network.js';

// Already removed, removal in progress, or not running (Docker's 404/409/304,
// podman's 500 "container state improper"): where the caller wanted it.
function ignoreGone(error: unknown): void {
  if (!notRunning(error)) throw error;
}

export async function projectContainers(docker: Docker, manifest: Manifest): Promise<ContainerInfo[]> {
  return docker.listContainers({all: true, filters: {label: projectFilter(manifest)}});
}

// Stop what a dead supervisor left running, found by label (a known id counts
// only when it carries the labels too: labels prove ownership). All units at
// once (every pod's), each with its stopSignal and stopTimeout, so reaping is
// bounded by the longest timeout; the pods' infra last. The infra runs nothing
// that could use a grace period: it is killed, as containerd's CRI kills a pod's
// sandbox (pause) container once its containers stopped (issue 13.2: `docker stop`
// of it waited 150-300 ms for the engine to see the exit). A grace of 0 (`down
// --timeout 0`, a second Ctrl-C) kills the units too. Returns what was stopped.
// `gone`: a unit whose processes the runtime saw gone, the engine still to report
// its exit; not stopped again, so the infra is killed without waiting for that report.
export async function reapContainers(docker: Docker, manifest: Manifest, _known: UnitIdentity[], options: {graceMs?: number} = {}, gone: (id: string) => boolean = () => false): Promise<UnitIdentity[]> {
  const alive = (await projectContainers(docker, manifest)).filter((c) => (c.State === 'running' || c.State === 'restarting' || c.State === 'paused') && !gone(c.Id));
  const identity = (container: ContainerInfo): UnitIdentity => ({kind: 'docker', containerId: container.Id, service: container.Labels[Label.service] ?? ''});
  const kill = async (container: ContainerInfo): Promise<UnitIdentity> => {
    await docker.getContainer(container.Id).kill({signal: 'SIGKILL'}).catch(ignoreGone);
    return identity(container);
  };
  const stop = async (container: ContainerInfo): Promise<UnitIdentity> => {
    if (options.graceMs === 0) return kill(container);
    const service = findService(manifest, container.Labels[Label.service] ?? '');
    const seconds = Math.ceil((service?.stopTimeoutMs ?? 10_000) / 1000);
    await docker.getContainer(container.Id).stop({t: seconds}).catch(ignoreGone);
    return identity(container);
  };
  const units = await Promise.all(alive.filter((c) => c.Labels[Label.role] !== 'infra').map(stop));
  const pods = await Promise.all(alive.filter((c) => c.Labels[Label.role] === 'infra').map(kill));
  return [...units, ...pods];
}

// Remove every container of the project (anonymous volumes with them), every
// pod's infra with them (after them on podman), then the project network (it has no endpoints left); named
// volumes only when asked (`down --volumes`) or ephemeral (a Kubernetes emptyDir), never external ones.
export async function removeProject(docker: Docker, manifest: Manifest, removeVolumes: boolean): Promise<void> {
  const containers = await projectContainers(docker, manifest);
  const remove = (c: ContainerInfo): Promise<void> => removeAndWait(docker, c.Id).catch(ignoreGone);
  const unitsGone = Promise.all(containers.filter((c) => c.Labels[Label.role] !== 'infra').map(remove));
  // Docker removes a pod's infra beside the units that joined it: asked together.
  // podman refuses while they exist: then once they are gone (removeAndWait).
  const podsGone = containers
    .filter((c) => c.Labels[Label.role] === 'infra')
    .map(async (c) => {
      try {
        await docker.getContainer(c.Id).remove({force: true, v: true});
      } catch (error) {
        if (statusOf(error) === 404) return;
        await unitsGone;
        await remove(c);
      }
    });
  await Promise.all([unitsGone, ...podsGone]);
  // The network and the volumes have no order between them (no container is left).
  const names = Object.values(manifest.volumes).filter((v) => !v.external && (removeVolumes || v.ephemeral === true)).map((v) => volumeName(manifest, v.name));
  await Promise.all([removeNetworks(docker, manifest), ...names.map((name) => docker.getVolume(name).remove().catch(ignoreGone))]);
}
