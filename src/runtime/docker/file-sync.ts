import type Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {Manifest, Service} from '../../manifest/types.js';
import type {SyncEntry} from '../types.js';
import {engineMessage} from './engine-errors.js';
import {execIn} from './exec.js';
import {containerName} from './naming.js';
import {inspectByName} from './pod-infra.js';
import type {SyncChannels} from './sync-channel.js';
import {tarOf} from './tar-entries.js';

const REMOVE_TIMEOUT_MS = 30_000;
// Arguments per `rm`: far below any ARG_MAX, a `git checkout` may delete thousands.
const REMOVE_CHUNK = 500;

// Watch `sync` (issue 11.4): the whole batch as one tar stream through the
// engine's archive endpoint (Compose's develop.watch does the same), put at `/`
// so that missing directories of `target` are created. Works on a created
// container that has not started yet: that is the initial sync.
export async function putFiles(container: Docker.Container, service: string, copy: SyncEntry[]): Promise<void> {
  if (copy.length === 0) return;
  try {
    await container.putArchive(tarOf(copy), {path: '/'});
  } catch (error) {
    throw new SidecarError('SIDECAR_STACK_FAILED', `copying ${copy.length} file(s) into ${service}'s container failed: ${engineMessage(error)}`, {
      cause: error,
      service,
      suggestion: 'check that the watch target is writable in the container (not a read-only mount or file system)',
    });
  }
}

// Deleted files go with `rm -rf` run in the container, paths as argv: nothing
// from the file system goes through a shell. Needs an `rm` in the image.
export async function removeFiles(docker: Docker, container: Docker.Container, service: string, paths: string[]): Promise<void> {
  for (let start = 0; start < paths.length; start += REMOVE_CHUNK) {
    const chunk = paths.slice(start, start + REMOVE_CHUNK);
    const result = await execIn(docker, container, ['rm', '-rf', '--', ...chunk], {timeoutMs: REMOVE_TIMEOUT_MS});
    if (result.exitCode !== 0) {
      throw new SidecarError('SIDECAR_STACK_FAILED', `removing ${chunk.length} deleted file(s) in ${service}'s container failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`, {
        service,
        suggestion: result.exitCode === 127 ? 'the image has no rm; use action: sync+restart or rebuild for deletions' : 'check that the watch target is writable in the container',
      });
    }
  }
}

// Watch `sync` into the service's running container: deletions first, then one tar stream.
export async function syncIntoRunning(docker: Docker, manifest: Manifest | undefined, channels: SyncChannels, isLive: (containerId: string) => boolean, service: Service, copy: SyncEntry[], remove: string[]): Promise<void> {
  // Only files to copy and a receiver in its running container: straight there (issue 11.7:
  // asking the engine which container runs takes 2-20 ms).
  if (remove.length === 0 && copy.length > 0 && (await channels.putFor(service.id, isLive, () => tarOf(copy)))) return;
  const info = manifest ? await inspectByName(docker, containerName(manifest, service)) : undefined;
  if (!info?.State.Running) throw new SidecarError('SIDECAR_NOT_RUNNING', `${service.id} has no running container to sync into; its next container gets the files before it starts`, {service: service.id});
  const container = docker.getContainer(info.Id);
  await removeFiles(docker, container, service.id, remove);
  if (copy.length > 0 && !(await channels.put(docker, info.Id, service.id, () => tarOf(copy)))) await putFiles(container, service.id, copy);
}
