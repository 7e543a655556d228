import type Docker from 'dockerode';
import type {ContainerCreateOptions} from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {Manifest, Service} from '../../manifest/types.js';
import {serviceSpec} from './container-spec.js';
import {engineMessage} from './engine-errors.js';
import type {CpuCap} from './engine-resources.js';
import type {ImageCache} from './image-cache.js';
import {containerName, imageOf} from './naming.js';
import {inspectByName} from './pod-infra.js';
import type {UnitRegistry} from './unit-registry.js';
import type {CreationGuard} from './creation-guard.js';

export interface FreshDeps {
  images: ImageCache;
  cpus: CpuCap;
  units: UnitRegistry;
  notice: (message: string) => void;
  guard: CreationGuard;
}

// Every service's container under its name: a new one on each start, like a
// pod restarting a container (new id, clean state). The one this runtime made
// before for the service is removed first, by id. Any other holder of the name
// (a leftover) shows up as the engine refusing the name: removed, then created
// again. Issue 13.2: no lookup by name before every create (one engine round
// trip per container on the start's path, 404 almost always).
export class FreshContainers {
  private readonly last = new Map<string, string>();

  constructor(private readonly deps: FreshDeps) {}

  // `alter`: the spec as it will be created (start-gate.ts puts a gate in it).
  async create(docker: Docker, manifest: Manifest, service: Service, infraId: string, alter?: (spec: ContainerCreateOptions) => Promise<ContainerCreateOptions>): Promise<Docker.Container> {
    const {images, cpus} = this.deps;
    await images.rebuildIfChanged(docker, manifest, service);
    const plain = serviceSpec(manifest, service, infraId, await images.idOf(docker, imageOf(manifest, service)), await cpus.engineCpus(docker, service, this.deps.notice));
    const spec = alter ? await alter(plain) : plain;
    const previous = this.last.get(service.id);
    if (previous !== undefined) await this.removeOld(docker, previous);
    const {guard} = this.deps;
    let container: Docker.Container;
    try {
      container = await guard.create(docker, spec);
    } catch (error) {
      if (guard.isClosed) throw error;
      const holder = await inspectByName(docker, containerName(manifest, service)).catch(() => undefined);
      if (!holder) throw createFailed(service, error);
      await this.removeOld(docker, holder.Id, holder);
      container = await guard.create(docker, spec).catch((again: unknown) => {
        throw createFailed(service, again);
      });
    }
    this.last.set(service.id, container.id);
    return container;
  }

  // A unit still registered as running settles from what the engine says of it.
  private async removeOld(docker: Docker, id: string, known?: Docker.ContainerInspectInfo): Promise<void> {
    const {units} = this.deps;
    if (units.has(id)) {
      const info = known ?? (await docker.getContainer(id).inspect().catch(() => undefined));
      units.settle(id, info && !info.State.Running ? info.State.ExitCode : null);
    }
    await docker.getContainer(id).remove({force: true, v: true}).catch(() => {});
  }
}

// A unit's failure is pinned by the supervisor.
function createFailed(service: Service, error: unknown): SidecarError {
  return new SidecarError('SIDECAR_STACK_FAILED', `creating the container for ${service.id} failed: ${engineMessage(error)}`, {cause: error});
}
