import type Docker from 'dockerode';
import {SidecarError} from '../../errors/index.js';
import type {Manifest, Pod} from '../../manifest/types.js';
import {infraSpec, probePorts} from './container-spec.js';
import {engineMessage, podStartError, podWords, removeAndWait, statusOf} from './engine-errors.js';
import {infraName, Label, projectLabels} from './naming.js';
import type {CreationGuard} from './creation-guard.js';
import {directRoute, engineIsRootless, forcedPublished, publishedRoute, unreachableWhy, type ProbeRoute} from './probe-route.js';

// One pod's network namespace as the runtime knows it: the infra container that
// holds it, and how the supervisor's probes reach ports inside it.
export interface PodInfra {
  id: string;
  // The infra's process: its /proc/PID/net shows the pod's listeners.
  pid: number;
  route: ProbeRoute;
}

export async function inspectByName(docker: Docker, name: string): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await docker.getContainer(name).inspect();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

// Reuse the pod's running infra with the same config (a second `up`), else
// (re)create it under the same name (and alias). Probe ports are published only
// where container addresses are unreachable (issue 8.12): first without, then
// once more with them if the check says so.
// `created` learns the infra's id as soon as it exists, before it starts: the
// pod's containers can be created (joined to it) while its namespace comes up.
// `headStart`: the id of the infra `up` created and is starting (infra-head-start.ts):
// started here too (answered once the first start is done: Docker 20.10 answers
// both starts with 204 when they overlap, a later one with 304), then judged
// below as any infra found running. The pod's containers are created for it at
// once, while it starts; should it be replaced below, they are made again for
// the new one (PrecreatedContainers removes those of the old).
export interface InfraOptions {
  notice: (message: string) => void;
  created?: (id: string) => void;
  headStart?: string;
  guard: CreationGuard;
}

export async function ensureInfra(docker: Docker, manifest: Manifest, pod: Pod, image: string, {notice, created, headStart, guard}: InfraOptions): Promise<PodInfra> {
  const probed = probePorts(pod);
  const variants = [infraSpec(manifest, pod, image, false), infraSpec(manifest, pod, image, true)];
  const hashOf = (spec: Docker.ContainerCreateOptions): string | undefined => spec.Labels?.[Label.configHash];
  if (headStart) {
    created?.(headStart);
    // Any failure: the path below replaces it, and its own start says what is wrong.
    await docker.getContainer(headStart).start().catch(() => undefined);
  }
  const existing = await inspectByName(docker, infraName(manifest, pod.name));
  let info: Docker.ContainerInspectInfo;
  let published: boolean;
  const reused = existing?.State.Running ? variants.findIndex((spec) => hashOf(spec) === existing.Config.Labels[Label.configHash]) : -1;
  if (existing && reused >= 0) {
    info = existing;
    published = reused === 1;
  } else {
    // Without probe ports the route waits for nothing: the infra is created at once (not after /info).
    published = probed.length > 0 && (forcedPublished() || (await engineIsRootless(docker)));
    info = await createInfra(docker, manifest, pod, variants[published ? 1 : 0]!, existing?.Id, guard, created);
  }
  const why = await unreachableWhy(info, docker);
  if (why !== undefined && !published && probed.length > 0) {
    published = true;
    info = await createInfra(docker, manifest, pod, variants[1]!, info.Id, guard, created);
  }
  if (why !== undefined && published) {
    const where = manifest.form === 'single' ? '' : ` of pod ${pod.name}`;
    notice(`published probe port${probed.length === 1 ? '' : 's'} ${probed.join(', ')}${where} on 127.0.0.1 (engine-chosen host ports), because ${why}`);
  }
  return {id: info.Id, pid: info.State.Pid, route: why === undefined ? directRoute(info) : publishedRoute(info)};
}

async function createInfra(docker: Docker, manifest: Manifest, pod: Pod, spec: Docker.ContainerCreateOptions, replaces: string | undefined, guard: CreationGuard, created?: (id: string) => void): Promise<Docker.ContainerInspectInfo> {
  if (replaces) await removeAndWait(docker, replaces);
  let container: Docker.Container;
  try {
    container = await createOrReplace(docker, manifest, spec, guard);
  } catch (error) {
    // The pod's container is no service's (issue 8.8).
    throw new SidecarError('SIDECAR_STACK_FAILED', `creating the container for ${podWords(manifest, pod.name)} infra failed: ${engineMessage(error)}`, {cause: error, service: null});
  }
  created?.(container.id);
  try {
    await container.start();
  } catch (error) {
    throw podStartError(manifest, pod, error);
  }
  return container.inspect();
}

// The name taken since it was looked up (a creation `up` gave up waiting for,
// infra-head-start.ts, that the engine finished later): a container of this
// project and directory holding it is replaced, once; anyone else's is not touched.
async function createOrReplace(docker: Docker, manifest: Manifest, spec: Docker.ContainerCreateOptions, guard: CreationGuard): Promise<Docker.Container> {
  try {
    return await guard.create(docker, spec);
  } catch (error) {
    if (statusOf(error) !== 409 || !spec.name) throw error;
    const holder = await inspectByName(docker, spec.name);
    const ours = holder && Object.entries(projectLabels(manifest)).every(([key, value]) => holder.Config.Labels?.[key] === value);
    if (!holder || !ours) throw error;
    await removeAndWait(docker, holder.Id);
    return guard.create(docker, spec);
  }
}
