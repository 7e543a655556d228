import {servicesWithLogs} from '../logs/log-reader.js';
import {assertStateTree} from '../runtime/safe-state-dir.js';
import {allServices, type Manifest} from '../manifest/types.js';
import {leaderIsOurs, type ProcessIdentity} from '../runtime/process/group-signal.js';
import type {RuntimeKind, UnitIdentity} from '../runtime/types.js';
import {callControl} from '../host/control/control-client.js';
import type {PsResult} from '../host/control/protocol.js';
import {readLastRunRecord, readStateRecord} from '../host/state-file.js';
import type {ServiceStatus} from '../supervisor/types.js';
import {sanitizeDeep} from '../output/sanitize-terminal.js';
import {findSupervisor, supervisorPeer} from '../host/find-supervisor.js';
import type {ProjectFiles} from '../host/project-files.js';

const FINAL = new Set(['exited', 'failed', 'pending']);

// `ps`: the live view from the supervisor; without one (it was SIGKILLed), the
// last recorded state, where a process that still runs (verified by pid + start
// time + boot, as `down` does before it signals) shows running and anything else
// not final shows as exited (nobody supervises it any more); without that (never
// started, or `down` cleaned up), the manifest's services: exited where they have
// logs, else pending; without a manifest, exit 3.
export async function psStack(files: ProjectFiles, manifestFile: string): Promise<PsResult> {
  // A symlinked `.sidecar` is refused, as every command refuses it (stack-lookup.ts).
  assertStateTree(files.dir);
  const live = await findSupervisor(files);
  if (live) {
    try {
      // Printed as a table: nothing in it may drive the terminal.
      return sanitizeDeep(await callControl<PsResult>(live.socket, {method: 'ps'}, {peer: supervisorPeer(live.hello.pid)}));
    } catch (error) {
      if ((error as {code?: string}).code === 'SIDECAR_NOT_RESPONDING') throw error;
      // It went away between hello and ps: report from the files.
    }
  }
  const state = readStateRecord(files.state);
  if (state) {
    const recorded = [...(state.identities ?? []), ...state.services.flatMap((s) => (s.identity ? [s.identity] : []))];
    const containers = state.runtime === 'docker' ? await (await import('../runtime/docker/survivors.js')).survivingContainers(state.project, recorded) : new Map<string, string>();
    return {
      project: state.project,
      runtime: state.runtime,
      supervisor: null,
      services: state.services.map((s): ServiceStatus => survivor(s, state.identities) ?? containerSurvivor(s, containers) ?? {...s, state: FINAL.has(s.state) ? s.state : 'exited', health: 'none', pid: null, containerId: null}),
    };
  }
  // Never started here (or `down` cleaned up): the manifest's services, none running.
  // No manifest either is exit 3, as for every command that reads one.
  const {loadManifest} = await import('../manifest/load.js');
  const manifest = await loadManifest(manifestFile, {requiredMayBeUnset: true});
  // A service with a log file, or that the last run started, has run here (and
  // `down` stopped it); one without never started.
  const last = readLastRunRecord(files.lastRun);
  const lastRun = last?.project === manifest.name ? last : undefined;
  const ran = new Set([...servicesWithLogs(files.logs), ...(lastRun?.ran ?? [])]);
  const services = allServices(manifest).map(
    (s): ServiceStatus => ({name: s.id, role: s.role, state: ran.has(s.id) ? 'exited' : 'pending', health: 'none', restarts: 0, pid: null, containerId: null, exitCode: null, ports: s.ports}),
  );
  // The runtime it last ran with (left by `down`); never run: the one `up` would pick by default.
  const runtime = lastRun ? lastRun.runtime : await runtimeUpWouldPick(manifest);
  return {project: manifest.name, runtime, supervisor: null, services};
}

// What a plain `up` would choose now (SIDECAR_RUNTIME, else `auto`: Docker when every
// service has an image and an engine answers, resolve-runtime.ts). A stack that no
// runtime can run is shown under the one its services are written for; `up` says why.
async function runtimeUpWouldPick(manifest: Manifest): Promise<RuntimeKind> {
  const named = process.env.SIDECAR_RUNTIME;
  if (named === 'process' || named === 'docker') return named;
  const {decideRuntime} = await import('../runtime/resolve-runtime.js');
  try {
    return (await decideRuntime(manifest, 'auto')).kind;
  } catch {
    return allServices(manifest).every((s) => (s.process.command ?? s.command ?? []).length > 0) ? 'process' : 'docker';
  }
}

// A process-runtime unit that outlived its supervisor, found by its recorded identity.
function survivor(status: ServiceStatus, identities: UnitIdentity[]): ServiceStatus | undefined {
  if (status.pid === null || FINAL.has(status.state)) return undefined;
  const identity = identities.find((i): i is ProcessIdentity => i.kind === 'process' && i.pid === status.pid);
  // Alive, and ours by its run's marker: pid and start time alone come from a file (group-signal.ts).
  if (!identity || !leaderIsOurs(identity)) return undefined;
  return {...status, state: 'running', health: 'none'};
}

// A container that outlived its supervisor (found by label and recorded id, survivors.ts).
// An init job that completed stays completed even if the engine still lists it.
function containerSurvivor(status: ServiceStatus, containers: Map<string, string>): ServiceStatus | undefined {
  const containerId = containers.get(status.name);
  if (containerId === undefined || FINAL.has(status.state)) return undefined;
  return {...status, state: 'running', health: 'none', pid: null, containerId};
}
