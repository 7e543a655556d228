import type {Manifest} from '../manifest/types.js';
import {callControl} from '../host/control/control-client.js';
import type {UpdateResult} from '../supervisor/supervisor.js';

// `up` on a running stack: hand the supervisor the manifest as loaded now; it
// recreates the services whose configuration changed, starts the named (default:
// all) services that do not run, and answers once they are ready. A stack still
// starting (a concurrent `up` started it) is waited for first, so concurrent
// `up`s join one stack (issue 9.5).
// `watch`: `up --watch`, the stack follows the manifest's watch rules from then on.
export async function updateStack(socket: string, manifest: Manifest, only: string[] = [], watch = false): Promise<UpdateResult> {
  await callControl(socket, {method: 'wait'});
  return callControl<UpdateResult>(socket, {method: 'update', manifest, ...(only.length > 0 ? {services: only} : {}), ...(watch ? {watch: true} : {})});
}
