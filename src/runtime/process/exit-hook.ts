import {signalGroup, type ProcessIdentity} from './group-signal.js';
import type {StartedAhead} from './started-ahead.js';

// Units of every process runtime in this process not yet seen to exit, and what
// each runtime made ahead: where possible they die with us, at a normal exit or
// an uncaught error of the supervisor.
export const liveUnits = new Set<{identity: ProcessIdentity}>();
const madeAhead = new Set<StartedAhead>();
let installed = false;

// A runtime's processes made ahead join the hook's watch; the hook is installed once.
export function dieWithUs(ahead: StartedAhead): void {
  madeAhead.add(ahead);
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const unit of liveUnits) signalGroup(unit.identity, 'SIGKILL');
    for (const each of madeAhead) each.killAll();
  });
}
