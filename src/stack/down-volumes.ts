import {existsSync} from 'node:fs';
import path from 'node:path';
import type {Manifest} from '../manifest/types.js';
import {removeInsideStateDir} from '../runtime/safe-state-dir.js';

// `down --volumes` with no stack running (Compose's `down -v` on a stopped
// project): remove the project's named volumes of both runtimes, never an
// external one. Process runtime: the directories under .sidecar/volumes (no
// symlink followed, nothing outside .sidecar deleted). Docker: the volumes named
// as `up` names them AND carrying this project's labels, when an engine answers
// (no engine: there is nothing of Docker's to remove here). Returns the names removed.
export async function removeStoppedVolumes(manifest: Manifest): Promise<string[]> {
  const named = Object.values(manifest.volumes).filter((v) => !v.external);
  const removed: string[] = [];
  for (const v of named) {
    if (!existsSync(path.join(manifest.dir, '.sidecar', 'volumes', v.name))) continue;
    removeInsideStateDir(manifest.dir, ['.sidecar', 'volumes', v.name]);
    removed.push(v.name);
  }
  if (named.length === 0) return removed;
  const {engineIfAny} = await import('../runtime/docker/engine.js');
  const {projectLabels, volumeName} = await import('../runtime/docker/naming.js');
  const docker = await engineIfAny();
  if (!docker) return removed;
  const labels = projectLabels(manifest);
  for (const v of named) {
    const volume = docker.getVolume(volumeName(manifest, v.name));
    const info = await volume.inspect().catch(() => undefined);
    // Another project's (or the user's own) volume of the same name is not ours to remove.
    if (!info || Object.entries(labels).some(([key, value]) => info.Labels?.[key] !== value)) continue;
    await volume.remove();
    if (!removed.includes(v.name)) removed.push(v.name);
  }
  return removed;
}
