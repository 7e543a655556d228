import {existsSync, statSync} from 'node:fs';
import {SidecarError} from '../errors/index.js';
import {allServices} from '../manifest/types.js';
import {readStateRecord} from '../host/state-file.js';
import {findSupervisor, type LiveSupervisor} from '../host/find-supervisor.js';
import type {ProjectFiles} from '../host/project-files.js';
import {unknownServiceName} from '../manifest/unknown-service.js';

// How commands that act on a stack (ps, down, logs, restart, exec, events) find
// it, so that none of them passes silently when there is nothing to act on
// (issue 8 point 10): a live supervisor checks service names against the
// manifest it runs; without one the names come from the last recorded state or
// the manifest, and a directory with neither a stack nor a manifest is exit 3.
export async function lookUpStack(files: ProjectFiles, manifestFile: string, services: readonly string[] = []): Promise<LiveSupervisor | undefined> {
  const live = await findSupervisor(files);
  if (live) return live;
  if (services.length > 0) {
    const known = await recordedServiceNames(files, manifestFile);
    for (const name of services) if (!known.includes(name)) throw unknownServiceName(name, known, manifestFile);
  } else {
    requireStackOrManifest(files, manifestFile);
  }
  return undefined;
}

// Without a running stack: a recorded one (a crashed supervisor's survivors, its
// logs) is something to act on even when the manifest is gone; else the manifest must exist.
export function requireStackOrManifest(files: ProjectFiles, manifestFile: string): void {
  if (existsSync(files.state) || existsSync(files.supervisor) || isFile(manifestFile)) return;
  throw new SidecarError('SIDECAR_MANIFEST_NOT_FOUND', `no manifest at ${manifestFile} and no stack in ${files.dir}`, {
    suggestion: 'run this in the directory of your sidecar.yaml, point at it with -f FILE (or SIDECAR_FILE), or create one with `sidecar init`',
  });
}

async function recordedServiceNames(files: ProjectFiles, manifestFile: string): Promise<string[]> {
  const state = readStateRecord(files.state);
  if (state) return state.services.map((s) => s.name);
  const {loadManifest} = await import('../manifest/load.js');
  return allServices(await loadManifest(manifestFile)).map((s) => s.name);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// restart, exec, events: a running stack, after the checks above.
export async function requireRunningStack(files: ProjectFiles, manifestFile: string, services: readonly string[] = []): Promise<LiveSupervisor> {
  const live = await lookUpStack(files, manifestFile, services);
  if (!live) {
    throw new SidecarError('SIDECAR_NOT_RUNNING', `no stack is running in ${files.dir}`, {suggestion: 'start it with `sidecar up -d` (or `sidecar up` in another terminal)'});
  }
  return live;
}
