import {readStat} from '../runtime/process/proc-table.js';
import type {UnitIdentity} from '../runtime/types.js';

// Whether the unit's own process still runs, as far as can be told right now.
// A process that exited is a zombie until the supervisor's event loop reaps it and
// sees the exit; a probe answer handled in between (someone else's listener on the
// port, issue 8.3) must not count. Once reaped the exit is already observed, and a
// missing /proc entry proves nothing (a pid of another namespace): both say "alive"
// and leave it to the exit handling. Containers die through the engine's events.
export function unitAlive(identity: UnitIdentity): boolean {
  if (identity.kind !== 'process') return true;
  const stat = readStat(identity.pid);
  return stat === null || (stat.state !== 'Z' && stat.state !== 'X');
}
