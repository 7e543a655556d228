import {callControl} from '../host/control/control-client.js';
import type {ControlRequest} from '../host/control/protocol.js';
import {readStateRecord} from '../host/state-file.js';
import type {ProjectFiles} from '../host/project-files.js';

// `logs -f` and `events` end when the stack does. A supervisor that closes the
// stream on a normal `down` (its last state is `done`, or `down` already removed
// it) ended it: exit 0, as `docker logs -f` does when its container stops. One
// that vanished mid-stack (SIGKILL: the state still says it runs) is an error.
// `stop` ends it from our side (the reader of our stdout has gone).
export async function streamFromStack(files: ProjectFiles, socket: string, request: ControlRequest, onData: (data: unknown) => void, stop?: AbortSignal): Promise<void> {
  try {
    await callControl(socket, request, {onData, ...(stop ? {stop} : {})});
  } catch (error) {
    if (!(await endedNormally(files))) throw error;
  }
}

async function endedNormally(files: ProjectFiles): Promise<boolean> {
  // The state is written as `done` before the socket closes; give a racing write a moment.
  for (let i = 0; i < 10; i++) {
    const state = readStateRecord(files.state);
    if (!state || state.phase === 'done') return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
