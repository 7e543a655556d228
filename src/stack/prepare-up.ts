import {existsSync} from 'node:fs';
import path from 'node:path';
import {SidecarError} from '../errors/index.js';
import type {Loss} from '../manifest/loss.js';
import type {Manifest, Service} from '../manifest/types.js';
import {writeManifestFiles} from './manifest-files.js';
import type {RuntimeKind} from '../runtime/types.js';
import {assertStackPortsFree} from '../runtime/process/port-check.js';
import {assertStateTree} from '../runtime/safe-state-dir.js';
import {selectPods} from '../supervisor/start-plan.js';
import {readStateRecord} from '../host/state-file.js';
import {claimProject} from '../host/claim-project.js';
import type {ProjectLock} from '../host/project-lock.js';
import {projectFiles, type ProjectFiles} from '../host/project-files.js';
import {reapLeftovers} from '../host/reap-leftovers.js';
import {decideRuntime, type LocalDocker, type RuntimeChoice} from '../runtime/resolve-runtime.js';
import {catalogOf, resolveServiceRefs} from '../manifest/service-ref.js';
import {cachedLoad, keepLoad} from '../manifest/load-cache.js';
import {checkManifestPath} from '../manifest/manifest-path.js';

export interface UpPlan {
  manifest: Manifest;
  files: ProjectFiles;
  runtime: RuntimeKind;
  // Service ids to start (with what they need); empty: all.
  only: string[];
  // Survivors of a supervisor that died, stopped before this start.
  reaped: number;
  // A supervisor already runs this stack: `up` converges it instead of starting one.
  live?: {socket: string; pid: number; startTime?: string | undefined; phase: string; manifestFile: string};
  // Otherwise this process holds the project (one stack per directory) until it
  // exits or hands the lock to the detached supervisor.
  lock?: ProjectLock;
  // `--build`: rebuild images of services with `build` even when current.
  forceBuild: boolean;
  // Why `--runtime auto` chose this runtime (issue 8.7), for one line on stderr.
  runtimeReason?: string;
  // Docker: rootful Docker on a local socket answered (the pod's infra is started from here: up-detached.ts).
  engine?: LocalDocker;
  // What a Kubernetes file read as input does not carry over (issue 12.2), printed once by the command.
  losses: Loss[];
  // Process runtime, services with `resources`, and no cgroup can be made here:
  // one line on stderr, and the stack runs without limits (DESIGN "Resources").
  resourcesWarning?: string;
}

export interface PrepareOptions {
  build?: boolean;
  // Who takes the project lock (`run` hosts a stack that goes down with CMD).
  role?: 'up' | 'run';
}

// Docker: each build's content hash goes into the manifest, so a changed
// context, dockerfile or build arg is a changed service (issue 8.5).
async function withBuildHashes(manifest: Manifest): Promise<Manifest> {
  const {buildHash} = await import('../runtime/docker/build-hash.js');
  const hashed = async (service: Service): Promise<Service> => (service.build ? {...service, build: {...service.build, hash: await buildHash(service.build)}} : service);
  const pods = await Promise.all(
    manifest.pods.map(async (pod) => ({
      ...pod,
      app: await hashed(pod.app),
      sidecars: await Promise.all(pod.sidecars.map(hashed)),
      init: await Promise.all(pod.init.map(hashed)),
    })),
  );
  return {...manifest, pods};
}

// What `up` and `run` do before starting anything: load and check the manifest,
// refuse a second stack in the same directory, clean up after a dead supervisor
// (issue 3 point 7: "the next `up` stops every survivor"), pick the runtime.
// `words` are what the user typed (`payments`, `orders/app`, `egress`): the plan
// carries the service ids they stand for (issue 10 point 2).
export async function prepareUp(file: string, choice: RuntimeChoice, words: string[], options: PrepareOptions = {}): Promise<UpPlan> {
  // Issue 13.1: an unchanged manifest is not parsed again (load-cache.ts); the path is checked first.
  checkManifestPath(file);
  const cacheFile = projectFiles(path.dirname(path.resolve(file))).loadCache;
  const cached = cachedLoad(file, cacheFile);
  const loaded = cached ?? (await (await import('../manifest/load.js')).loadManifestWithWarnings(file));
  const loadManifest = async (again: string): Promise<Manifest> => (await import('../manifest/load.js')).loadManifest(again);
  let manifest = loaded.manifest;
  const losses = loaded.losses;
  const forceBuild = options.build ?? false;
  const only = resolveServiceRefs(catalogOf(manifest), words);
  const files = projectFiles(manifest.dir);
  // Nothing is written through a symlink in .sidecar/ (issue 9.7): refuse before anything starts.
  assertStateTree(files.dir);
  // ConfigMap and Secret volumes of a Kubernetes file, in place before any container mounts them.
  writeManifestFiles(manifest);
  const claim = await claimProject(files, options.role ?? 'up');
  // .sidecar/ is ours now (made, or checked, by the claim): the load is kept for the next `up`.
  if (!cached && files.loadCache === cacheFile) keepLoad(file, cacheFile, loaded);
  if ('lock' in claim) {
    try {
      return {...(await prepareFresh(manifest, files, choice, only, forceBuild, loadManifest)), lock: claim.lock, losses};
    } catch (error) {
      claim.lock.release();
      throw error;
    }
  }
  const live = claim.live;
  if (live.record.transient) {
    throw new SidecarError('SIDECAR_ALREADY_RUNNING', `\`sidecar run\` (pid ${live.hello.pid}) owns the stack in ${files.dir}; it stops when its command ends`, {
      suggestion: 'wait for that `sidecar run` to finish, or stop it',
    });
  }
  // A runtime named (flag or SIDECAR_RUNTIME) that is not the running stack's cannot
  // be honoured in place: say so rather than converge on the other runtime and
  // exit 0 (Compose refuses a project's changed network driver the same way).
  if (choice !== 'auto' && choice !== live.hello.runtime) {
    throw new SidecarError('SIDECAR_ALREADY_RUNNING', `the stack in ${files.dir} runs on the ${live.hello.runtime} runtime (supervisor pid ${live.hello.pid}), not ${choice}`, {
      // The command that was typed, again (found by a new user's trial: `run` was told to `up`).
      suggestion: `\`sidecar down\` first, then \`sidecar ${options.role ?? 'up'} --runtime ${choice}\`${options.role === 'run' ? ' again' : ''}`,
    });
  }
  // Issue 8.12: `up app` after `up proxy` converges the running stack and starts the app.
  if (live.hello.runtime === 'process') await assertPortsDistinct(manifest);
  if (live.hello.runtime === 'docker') manifest = await withBuildHashes(manifest);
  return {manifest, files, runtime: live.hello.runtime, only, reaped: 0, live: {socket: live.socket, pid: live.hello.pid, startTime: live.record.startTime, phase: live.hello.phase, manifestFile: live.record.manifestFile}, forceBuild, losses};
}

// Under the project lock (issue 9.5): clean up after a dead supervisor, pick the runtime.
async function prepareFresh(manifest: Manifest, files: ProjectFiles, choice: RuntimeChoice, only: string[], forceBuild: boolean, loadManifest: (file: string) => Promise<Manifest>): Promise<Omit<UpPlan, 'losses'>> {
  let reaped = 0;
  // The pod's infra of an `up` killed before it handed the stack over (infra-head-start.ts): gone before this one makes its own.
  if (existsSync(files.headStart)) await (await import('../runtime/docker/infra-head-start.js')).clearHeadStart(files);
  const state = readStateRecord(files.state);
  if (existsSync(files.supervisor) || (state && state.phase !== 'done')) {
    reaped = (await reapLeftovers(files, loadManifest, {volumes: false})).reaped.length;
  }
  const decision = await decideRuntime(manifest, choice);
  const runtime = decision.kind;
  // Issue 8.3: a port someone else holds fails the start before anything runs.
  if (runtime === 'process') await assertPortsDistinct(manifest);
  if (runtime === 'process') await assertStackPortsFree([...selectPods(manifest, only).values()].flat());
  if (runtime === 'docker') manifest = await withBuildHashes(manifest);
  const resourcesWarning = runtime === 'process' ? await processLimitsProblem(manifest, only) : undefined;
  return {manifest, files, runtime, only, reaped, forceBuild, ...(decision.reason ? {runtimeReason: decision.reason} : {}), ...(decision.engine ? {engine: decision.engine} : {}), ...(resourcesWarning ? {resourcesWarning} : {})};
}

// Only pods clash with each other, and the check's module loads the manifest's
// places (and with them yaml, ~1-2 ms): not on the path of a one-pod `up` whose load
// came from the cache (issue 13.1).
async function assertPortsDistinct(manifest: Manifest): Promise<void> {
  if (manifest.pods.length < 2) return;
  (await import('../manifest/process-port-clash.js')).assertProcessPortsDistinct(manifest);
}

// Tried for real (a group made and removed), so what `up` says is what the runtime will find.
async function processLimitsProblem(manifest: Manifest, only: string[]): Promise<string | undefined> {
  const limited = [...selectPods(manifest, only).values()].flat().find((service) => service.resources !== undefined);
  if (!limited?.resources) return undefined;
  const {cgroupProblem} = await import('../runtime/process/cgroup/unit-limits.js');
  const {cgroupBase} = await import('../runtime/process/stack-marker.js');
  return cgroupProblem(cgroupBase(manifest), limited.resources);
}
