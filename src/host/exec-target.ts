import {SidecarError} from '../errors/index.js';
import type {ServiceStatus} from '../supervisor/types.js';

// exec runs beside a service whose process (or container) runs: `starting` (not
// ready yet, when exec is how one finds out why) or `running`. Anything else is
// refused, as `docker compose exec` refuses a stopped service (found by a new
// user's trial: under the process runtime exec ran beside an exited sidecar and
// a pending app, exit 0, as if they were there).
export function assertExecTarget(status: ServiceStatus | undefined): void {
  if (!status || status.state === 'starting' || status.state === 'running') return;
  const id = status.name;
  const state = status.state === 'exited' && status.exitCode !== null ? `exited (${status.exitCode})` : status.state;
  throw new SidecarError('SIDECAR_NOT_RUNNING', `service ${id} is not running (${state}); exec runs a command beside a running service`, {suggestion: fixFor(status.state, id)});
}

function fixFor(state: ServiceStatus['state'], id: string): string {
  switch (state) {
    case 'pending':
      return `it starts once what it waits for is ready: \`sidecar ps\` shows what that is; then \`sidecar exec ${id} -- ...\``;
    case 'backoff':
      return `it is between restarts: \`sidecar logs ${id}\` shows why it exited; exec once \`sidecar ps\` shows it running`;
    case 'stopping':
      return `it is being stopped; \`sidecar up\` starts it again`;
    default:
      return `\`sidecar restart ${id}\` starts it again (\`sidecar logs ${id}\` shows its last lines)`;
  }
}
