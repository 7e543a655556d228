import {existsSync, statSync} from 'node:fs';
import {assertStateTree} from '../runtime/safe-state-dir.js';
import {SidecarError} from '../errors/index.js';
import {checkManifestIsFile} from '../manifest/manifest-path.js';
import {readStateRecord} from '../host/state-file.js';
import {findSupervisor, supervisorPeer, type LiveSupervisor} from '../host/find-supervisor.js';
import type {ProjectFiles} from '../host/project-files.js';
import {callControl} from '../host/control/control-client.js';
import type {PsResult} from '../host/control/protocol.js';
import {catalogFromIds, catalogOf, resolveServiceRefs, type StackCatalog} from '../manifest/service-ref.js';

export interface FoundStack {
  live: LiveSupervisor | undefined;
  // The service ids the user's words stand for (`orders` -> every service of that pod).
  ids: string[];
}

// How commands that act on a stack (ps, down, logs, restart, exec, events) find
// it, so that none of them passes silently when there is nothing to act on
// (issue 8 point 10), and what the services named on the command line are
// (issue 10 point 2): resolved here, on the client, against what the stack runs
// (the live supervisor's services; without one the last recorded state, or the
// manifest), so that every request carries ids; the supervisor checks them again.
// A directory with neither a stack nor a manifest is exit 3.
//
// A `.sidecar` (or anything of ours in it) that is a symlink is refused first, as
// `up` and `down` refuse it (found by a new user's trial: `exec` and `restart`
// followed a link to another project's `.sidecar` and drove its stack).
export async function lookUpStack(files: ProjectFiles, manifestFile: string, words: readonly string[] = []): Promise<FoundStack> {
  assertStateTree(files.dir);
  const live = await findSupervisor(files);
  if (words.length === 0) {
    if (!live) requireStackOrManifest(files, manifestFile);
    return {live, ids: []};
  }
  const catalog = live ? await liveCatalog(live) : await recordedCatalog(files, manifestFile);
  return {live, ids: resolveServiceRefs(catalog, words)};
}

// Without a running stack: a recorded one (a crashed supervisor's survivors, its
// logs) is something to act on even when the manifest is gone; else the manifest must exist.
export function requireStackOrManifest(files: ProjectFiles, manifestFile: string): void {
  if (existsSync(files.state) || existsSync(files.supervisor) || isFile(manifestFile)) return;
  checkManifestIsFile(manifestFile);
  throw new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `no manifest at ${manifestFile} and no stack in ${files.dir}`, {
    suggestion: 'run this in the directory of your sidecar.yaml, point at it with -f FILE (or SIDECAR_FILE), or create one with `sidecar init`',
  });
}

async function liveCatalog(live: LiveSupervisor): Promise<StackCatalog> {
  const ps = await callControl<PsResult>(live.socket, {method: 'ps'}, {peer: supervisorPeer(live.hello.pid)});
  return catalogFromIds(ps.services.map((s) => s.name), ps.project, live.record.manifestFile);
}

async function recordedCatalog(files: ProjectFiles, manifestFile: string): Promise<StackCatalog> {
  const state = readStateRecord(files.state);
  if (state) return catalogFromIds(state.services.map((s) => s.name), state.project, manifestFile);
  const {loadManifest} = await import('../manifest/load.js');
  return catalogOf(await loadManifest(manifestFile, {requiredMayBeUnset: true}));
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// restart, exec, events: a running stack, after the checks above.
export async function requireRunningStack(files: ProjectFiles, manifestFile: string, words: readonly string[] = []): Promise<{live: LiveSupervisor; ids: string[]}> {
  const {live, ids} = await lookUpStack(files, manifestFile, words);
  if (!live) {
    throw new SidecarError('SIDECAR_NOT_RUNNING', `no stack is running in ${files.dir}`, {suggestion: 'start it with `sidecar up -d` (or `sidecar up` in another terminal)'});
  }
  return {live, ids};
}
