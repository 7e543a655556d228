import type Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {Manifest, Pod} from '../../manifest/types.js';
import {servicesInStartOrder} from '../../manifest/types.js';

// What the engine's errors mean for the stack: the HTTP status, the engine's own
// words, which service a failed pod start belongs to, and removal that waits.
export function statusOf(error: unknown): number | undefined {
  return (error as {statusCode?: number}).statusCode;
}

export function engineMessage(error: unknown): string {
  const json = (error as {json?: {message?: string}}).json;
  return (json?.message ?? (error instanceof Error ? error.message : String(error))).trim();
}

// A pod publishes its services' ports, so a taken host port fails the pod's
// start: name the service that declared it (issue 8.8), with the engine's words.
export function podStartError(manifest: Manifest, pod: Pod, error: unknown): SidecarError {
  const message = engineMessage(error);
  const port = /(?:Bind for [^\s]*:|listen tcp[46]? [^\s]*:)(\d+)[: ]/.exec(message)?.[1];
  const owners = port === undefined ? [] : servicesInStartOrder(pod).filter((s) => s.ports.some((p) => String(p.hostPort) === port));
  if (owners.length > 0) {
    const names = owners.map((s) => `"${s.id}"`).join(', ');
    return new SidecarError('SIDECAR_STACK_FAILED', `service ${names} publishes host port ${port}, which the engine could not bind: ${message}`, {
      cause: error,
      service: owners[0]!.id,
      suggestion: `stop what holds port ${port} (\`ss -ltnp 'sport = :${port}'\`), or change the host port in ${owners[0]!.id}'s \`ports:\``,
    });
  }
  return new SidecarError('SIDECAR_STACK_FAILED', `starting ${podWords(manifest, pod.name)} infra container failed: ${message}`, {cause: error, service: null, suggestion: 'see `sidecar doctor`; the engine\'s message above says why'});
}

// Asked to stop or kill a container that is not running: Docker answers 304 or
// 409, podman's Docker API 500 "container state improper" (issue 15.1). Either
// way the container is already where the caller wanted it; 404: it is gone.
export function notRunning(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 304 || status === 404 || status === 409) return true;
  return status === 500 && /container state improper|is not running|no such container/i.test(engineMessage(error));
}

// podman refuses to remove a pod's infra while containers joined to its network
// exist ("has dependent containers which must be removed before it: ID[,ID]");
// Docker removes it and leaves them without a network. The ids to remove first.
export function dependentsOf(error: unknown): string[] {
  if (statusOf(error) !== 500) return [];
  const list = /has dependent containers which must be removed before it: ([0-9a-f, ]+)/.exec(engineMessage(error))?.[1];
  return list ? list.split(/[ ,]+/).filter((id) => /^[0-9a-f]{12,64}$/.test(id)) : [];
}

const REMOVAL_DEADLINE_MS = 15_000;

// Remove a container and wait until its name is free: after `docker rm -f` by
// someone else the engine answers 409 (removal in progress) for a while; under
// podman an infra container goes after the containers that joined it.
export async function removeAndWait(docker: Docker, id: string): Promise<void> {
  const deadline = Date.now() + REMOVAL_DEADLINE_MS;
  for (;;) {
    try {
      await docker.getContainer(id).remove({force: true, v: true});
      return;
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return;
      const dependents = dependentsOf(error);
      if (Date.now() > deadline || (status !== 409 && dependents.length === 0)) throw error;
      for (const dependent of dependents) await removeAndWait(docker, dependent);
      if (dependents.length > 0) continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// "the pod's" in the single form (as before pods existed), "pod NAME's" with pods.
export function podWords(manifest: Manifest, pod: string): string {
  return manifest.form === 'single' ? "the pod's" : `pod ${pod}'s`;
}
