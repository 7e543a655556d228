import type {Manifest} from '../../manifest/types.js';
import {unixRequest} from '../engine/unix-get.js';
import type {LocalDocker} from '../resolve-runtime.js';
import {DEFAULT_INFRA_IMAGE, infraImageFromEnv} from '../infra-image.js';
import {infraSpec, probePorts} from './container-spec.js';
import {networkName} from './naming.js';
import {forcedPublished} from './probe-route.js';

// Issue 13.2: the pod's infra container takes the engine ~120-180 ms to start
// (its network namespace, veth and addresses), the longest step of a Docker
// `up`, and every other container waits for it. The detached supervisor gets
// there only once its own Node has started and loaded (~50 ms after the CLI
// handed it the stack). So `up -d`/`up --wait`, which has checked the manifest
// and holds the project lock by then, creates the infra itself over the plain
// socket (no dockerode in the CLI) and asks the engine to start it, then hands
// its id to the supervisor. The supervisor starts it too (the engine answers
// that second start once the first is done, "already started") and then treats
// it as any running infra it finds: reused only with the same config hash, else
// replaced (src/runtime/docker/pod-infra.ts). Anything unusual and the CLI
// leaves the pod to the supervisor as before: a manifest with pods (the project
// network), an engine other than rootful Docker on a local socket, probe ports
// whose route the supervisor still has to decide, a name already taken, an
// image not pulled yet, any error or a slow answer.

export interface HeadStart {
  pod: string;
  id: string;
}

const CREATE_DEADLINE_MS = 1000;
// The start is asked and not awaited here. Its request stays open while the CLI
// waits for the stack, without keeping the CLI alive: `up -d` returns once the
// supervisor answers. Should the engine drop a start whose client went away,
// the supervisor's own start does it.
const START_DEADLINE_MS = 30_000;

export async function headStartInfra(manifest: Manifest, engine: LocalDocker): Promise<HeadStart | undefined> {
  const pod = manifest.pods[0];
  if (manifest.pods.length !== 1 || !pod || networkName(manifest) !== undefined) return undefined;
  if (probePorts(pod).length > 0 && (!engine.systemSocket || forcedPublished())) return undefined;
  // As the supervisor picks it (DockerRuntime.infraImage): it runs with this environment.
  const image = infraImageFromEnv() ?? DEFAULT_INFRA_IMAGE;
  const {name, ...config} = infraSpec(manifest, pod, image, false);
  if (!name) return undefined;
  let id: string | undefined;
  try {
    const created = await unixRequest(engine.socketPath, 'POST', `/containers/create?name=${encodeURIComponent(name)}`, config, CREATE_DEADLINE_MS);
    if (created.status !== 201) return undefined;
    id = (JSON.parse(created.body) as {Id?: unknown}).Id as string | undefined;
  } catch {
    return undefined;
  }
  if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) return undefined;
  unixRequest(engine.socketPath, 'POST', `/containers/${id}/start`, undefined, START_DEADLINE_MS, {unref: true}).catch(() => undefined);
  return {pod: pod.name, id};
}

// The supervisor never took it (it failed to start): gone with the failed `up`.
export async function dropHeadStart(engine: LocalDocker, head: HeadStart): Promise<void> {
  await unixRequest(engine.socketPath, 'DELETE', `/containers/${head.id}?force=true&v=true`, undefined, 10_000).catch(() => undefined);
}
