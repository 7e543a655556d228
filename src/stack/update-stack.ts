import type {Manifest} from '../manifest/types.js';
import {callControl} from '../supervisor/control/control-client.js';
import type {UpdateResult} from '../supervisor/supervisor.js';

// `up` on a running stack: hand the supervisor the manifest as loaded now; it
// recreates the services whose configuration changed, starts the named (default:
// all) services that do not run, and answers once they are ready.
export async function updateStack(socket: string, manifest: Manifest, only: string[] = []): Promise<UpdateResult> {
  return callControl<UpdateResult>(socket, {method: 'update', manifest, ...(only.length > 0 ? {services: only} : {})});
}
