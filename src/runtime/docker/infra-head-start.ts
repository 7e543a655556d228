import {realpathSync} from 'node:fs';
import type {Manifest} from '../../manifest/types.js';
import {unixRequest, type Answer} from '../engine/unix-get.js';
import type {LocalDocker} from '../resolve-runtime.js';
import {DEFAULT_INFRA_IMAGE, infraImageFromEnv} from '../infra-image.js';
import {infraSpec, probePorts} from './container-spec.js';
import {Label, networkName, projectLabels, shortHash} from './naming.js';
import {forcedPublished} from './probe-route.js';
import {readJson, removeFile} from '../../host/state-file.js';

// An engine's container id, as it may go into a request path.
const CONTAINER_ID = /^[0-9a-f]{64}$/;

// Issue 13.2: the pod's infra container takes the engine ~120-190 ms to start
// (its network namespace, veth and addresses), the longest step of a Docker
// `up`, and every other container waits for it. The detached supervisor gets
// there only once its own Node has started and loaded (~50 ms after the CLI
// handed it the stack). So `up -d`/`up --wait`, which has checked the manifest
// and holds the project lock by then, creates the infra itself over the plain
// socket (no dockerode in the CLI) and asks the engine to start it, then hands
// its id to the supervisor. The supervisor starts it too (answered once the
// first start is done) and then treats it as any running infra it finds: kept
// only with the same config hash, else replaced (src/runtime/docker/pod-infra.ts).
// Anything unusual and the CLI leaves the pod to the supervisor as before: a
// manifest with pods (the project network), an engine other than Docker on a
// local socket (podman, tcp://), probe ports anywhere but on the system socket,
// a name already taken, an image not pulled yet, any error or a slow answer.
// On the system socket the supervisor picks the unpublished route for probe
// ports too, unless the engine's addresses are not reachable from here (Docker
// Desktop and the like link /var/run/docker.sock to a VM's engine): then it
// replaces this infra with the published one, as it would have made at first.
// A rootless Docker reached through DOCKER_HOST answers the ping as Docker: its
// pods get a head start only without probe ports, for the same reason.

export interface HeadStart {
  pod: string;
  id: string;
}

// What `up` writes to .sidecar/infra-head-start.json before it asks for the
// creation, and removes once the supervisor took the stack over (or the infra
// was removed): an `up` killed in between (Ctrl-C of `up -d`, SIGKILL) leaves it,
// and the next `down` or `up` removes that container (clearHeadStart).
export interface HeadStartRecord {
  socketPath: string;
  name: string;
  labels: Record<string, string>;
  // The project directory as `up` spelled it (the directory label hashes this spelling).
  dir: string;
}

// How long `up` waits for the engine to answer the creation before it leaves the
// infra to the supervisor. SIDECAR_HEAD_START_CREATE_MS (a positive integer of ms)
// changes it, for tests on a loaded machine; anything else there is ignored.
const CREATE_DEADLINE_MS = 1000;
function createDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.SIDECAR_HEAD_START_CREATE_MS;
  if (value === undefined || !/^[1-9][0-9]*$/.test(value)) return CREATE_DEADLINE_MS;
  // Node's timers take at most 2^31-1 ms.
  const ms = Number(value);
  return ms <= 2 ** 31 - 1 ? ms : CREATE_DEADLINE_MS;
}

// The start is asked and not awaited here. Its request stays open while the CLI
// waits for the stack, without keeping the CLI alive: `up -d` returns once the
// supervisor answers. Should the engine drop a start whose client went away,
// the supervisor's own start does it.
const START_DEADLINE_MS = 30_000;

// `record` is told what is about to be created (a throw there means no head
// start), `forget` that nothing was: the record stays only while the creation's
// outcome is unknown (no answer in time: the engine may still make it).
export async function headStartInfra(manifest: Manifest, engine: LocalDocker, record: (what: HeadStartRecord) => void, forget: () => void): Promise<HeadStart | undefined> {
  const pod = manifest.pods[0];
  if (manifest.pods.length !== 1 || !pod || networkName(manifest) !== undefined) return undefined;
  if (probePorts(pod).length > 0 && (!engine.systemSocket || forcedPublished())) return undefined;
  // As the supervisor picks it (DockerRuntime.infraImage): it runs with this environment.
  const image = infraImageFromEnv() ?? DEFAULT_INFRA_IMAGE;
  const {name, ...config} = infraSpec(manifest, pod, image, false);
  if (!name) return undefined;
  try {
    record({socketPath: engine.socketPath, name, labels: projectLabels(manifest), dir: manifest.dir});
  } catch {
    return undefined;
  }
  let created: Answer;
  try {
    created = await unixRequest(engine.socketPath, 'POST', `/containers/create?name=${encodeURIComponent(name)}`, config, createDeadlineMs());
  } catch (error) {
    // Refused before anything was asked: nothing made. Anything later (no answer in time, a cut connection): unknown.
    if (['ENOENT', 'ECONNREFUSED', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) forget();
    return undefined;
  }
  if (created.status !== 201) {
    forget();
    return undefined;
  }
  let id: unknown;
  try {
    id = (JSON.parse(created.body) as {Id?: unknown}).Id;
  } catch {
    return undefined;
  }
  if (typeof id !== 'string' || !CONTAINER_ID.test(id)) return undefined;
  unixRequest(engine.socketPath, 'POST', `/containers/${id}/start`, undefined, START_DEADLINE_MS, {unref: true}).catch(() => undefined);
  return {pod: pod.name, id};
}

// No supervisor took it over (none started, or it exited first): gone with the failed `up`.
export async function dropHeadStart(engine: LocalDocker, head: HeadStart): Promise<void> {
  await unixRequest(engine.socketPath, 'DELETE', `/containers/${head.id}?force=true&v=true`, undefined, 10_000).catch(() => undefined);
}

// An infra `up` made and never handed over (its record left behind): removed
// when the container holding that name is still this project's infra (its
// project, this directory's hash, the infra role), then the record. Returns how
// many containers went (0 or 1). Never throws for the engine: a record that
// cannot be acted on now stays for the next try.
export async function clearHeadStart(files: {headStart: string; dir: string}): Promise<number> {
  const file = files.headStart;
  const record = readJson<Partial<HeadStartRecord>>(file);
  const valid =
    typeof record?.socketPath === 'string' &&
    record.socketPath.startsWith('/') &&
    typeof record.name === 'string' &&
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(record.name) &&
    typeof record.labels === 'object' &&
    record.labels !== null &&
    typeof record.labels[Label.project] === 'string' &&
    typeof record.dir === 'string' &&
    record.labels[Label.projectDir] === shortHash(record.dir, 8) &&
    // The directory is this one, however `up` spelled it (a symlink, /tmp on macOS):
    // a record copied from elsewhere names nothing here.
    sameDirectory(record.dir, files.dir);
  if (!valid) {
    removeFile(file);
    return 0;
  }
  const {socketPath, name, labels} = record as HeadStartRecord;
  let found: {Id?: string; Config?: {Labels?: Record<string, string> | null}};
  try {
    const inspected = await unixRequest(socketPath, 'GET', `/containers/${name}/json`, undefined, 5000);
    if (inspected.status === 404) {
      removeFile(file);
      return 0;
    }
    if (inspected.status !== 200) return 0;
    found = JSON.parse(inspected.body) as typeof found;
  } catch {
    return 0;
  }
  const held = found.Config?.Labels ?? {};
  const ours = held[Label.project] === labels[Label.project] && held[Label.projectDir] === labels[Label.projectDir] && held[Label.role] === 'infra';
  if (!ours || typeof found.Id !== 'string' || !CONTAINER_ID.test(found.Id)) {
    removeFile(file);
    return 0;
  }
  const removed = await unixRequest(socketPath, 'DELETE', `/containers/${found.Id}?force=true&v=true`, undefined, 15_000).catch(() => undefined);
  if (removed?.status !== 204 && removed?.status !== 404) return 0;
  removeFile(file);
  return removed.status === 204 ? 1 : 0;
}

function sameDirectory(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
