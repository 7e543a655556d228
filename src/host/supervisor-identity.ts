import {processStartTime} from '../runtime/process/process-start-time.js';
import type {SupervisorIdentity} from './control/protocol.js';

export type {SupervisorIdentity} from './control/protocol.js';

// The same supervisor: the same pid, and the same start time where both sides know
// it (pids are reused; a record from a system without /proc has none).
export function isSameSupervisor(a: SupervisorIdentity, b: SupervisorIdentity): boolean {
  return a.pid === b.pid && (a.startTime === undefined || b.startTime === undefined || a.startTime === b.startTime);
}

let self: SupervisorIdentity | undefined;

// This process, as a request's `to` names it; read once, since neither part changes while it runs.
export function thisProcess(): SupervisorIdentity {
  if (!self) {
    const startTime = processStartTime(process.pid);
    self = {pid: process.pid, ...(startTime === undefined ? {} : {startTime})};
  }
  return self;
}
