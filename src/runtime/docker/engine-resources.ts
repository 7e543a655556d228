import type Docker from 'dockerode';
import {engineInfo} from './engine-info.js';
import {SidecarError} from '../../errors/index.js';
import type {Manifest, Service} from '../../manifest/types.js';
import {projectLabels, volumeName} from './naming.js';
import type {CreationGuard} from './creation-guard.js';

// What the engine must have before a pod starts, and what it can give.

// The manifest's named volumes: an external one must exist; ours are created.
export async function ensureVolumes(docker: Docker, manifest: Manifest, guard?: CreationGuard): Promise<void> {
  await Promise.all(
    Object.values(manifest.volumes).map(async (volume) => {
      const name = volumeName(manifest, volume.name);
      if (volume.external) {
        await docker.getVolume(name).inspect().catch(() => {
          throw new SidecarError('SIDECAR_STACK_FAILED', `external volume ${name} does not exist`, {service: null, suggestion: `create it: docker volume create ${name}`});
        });
        return;
      }
      // Creating an existing volume is a no-op for the engine: idempotent.
      const create = () => docker.createVolume({Name: name, Labels: projectLabels(manifest)});
      await (guard ? guard.ask(create) : create());
    }),
  );
}

// The engine's CPU count when a service asks for more: its limit is capped to
// it (the engine refuses "Range of CPUs is from 0.01 to N"), said once per service.
export class CpuCap {
  private cpuCount: number | undefined;
  private readonly capped = new Set<string>();

  async engineCpus(docker: Docker, service: Service, notice: (message: string) => void): Promise<number | undefined> {
    const wanted = service.resources?.cpus;
    if (wanted === undefined) return undefined;
    this.cpuCount ??= (await engineInfo(docker))?.NCPU;
    if (this.cpuCount !== undefined && wanted > this.cpuCount && !this.capped.has(service.id)) {
      this.capped.add(service.id);
      notice(`${service.id}: cpus ${wanted} is more than the engine's ${this.cpuCount} CPUs; limited to ${this.cpuCount}`);
    }
    return this.cpuCount;
  }
}
