import {servicesInStartOrder} from '../manifest/types.js';
import {callControl} from '../supervisor/control/control-client.js';
import type {PsResult} from '../supervisor/control/protocol.js';
import {readStateRecord} from '../supervisor/state-file.js';
import type {ServiceStatus} from '../supervisor/types.js';
import {findSupervisor} from './find-supervisor.js';
import type {ProjectFiles} from './project-files.js';

const FINAL = new Set(['exited', 'failed', 'pending']);

// `ps`: the live view from the supervisor; without one, the last recorded state
// (anything not final shows as exited: nobody supervises it any more); without
// that, the manifest's services as pending; without a manifest, an empty stack.
export async function psStack(files: ProjectFiles, manifestFile: string): Promise<PsResult> {
  const live = await findSupervisor(files);
  if (live) {
    try {
      return await callControl<PsResult>(live.socket, {method: 'ps'});
    } catch {
      // It went away between hello and ps: report from the files.
    }
  }
  const state = readStateRecord(files.state);
  if (state) {
    return {
      project: state.project,
      runtime: state.runtime,
      supervisor: null,
      services: state.services.map((s): ServiceStatus => ({...s, state: FINAL.has(s.state) ? s.state : 'exited', health: 'none', pid: null, containerId: null})),
    };
  }
  // Never started here (or `down` cleaned up): the manifest's services, none running.
  // No manifest either is exit 3, as for every command that reads one.
  const {loadManifest} = await import('../manifest/load.js');
  const manifest = await loadManifest(manifestFile);
  const services = servicesInStartOrder(manifest).map(
    (s): ServiceStatus => ({name: s.name, role: s.role, state: 'pending', health: 'none', restarts: 0, pid: null, containerId: null, exitCode: null, ports: s.ports}),
  );
  const hasCommands = servicesInStartOrder(manifest).every((s) => (s.process.command ?? s.command ?? []).length > 0);
  return {project: manifest.name, runtime: hasCommands ? 'process' : 'docker', supervisor: null, services};
}
