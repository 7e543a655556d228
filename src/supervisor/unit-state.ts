import {SidecarError} from '../errors/index.js';
import type {UnitState} from './types.js';

// The transition table of a supervised unit (supervisord/process-compose).
// Anything not listed is a bug in the supervisor, never a user error.
export const TRANSITIONS: Readonly<Record<UnitState, readonly UnitState[]>> = {
  pending: ['starting'],
  starting: ['running', 'backoff', 'stopping', 'exited', 'failed'],
  running: ['stopping', 'backoff', 'exited', 'failed'],
  // exited: stop() cancels a pending restart.
  backoff: ['starting', 'exited', 'failed'],
  // backoff: an unhealthy unit is stopped, then restarted.
  stopping: ['exited', 'failed', 'backoff'],
  exited: ['starting'],
  failed: ['starting'],
};

export function canTransition(from: UnitState, to: UnitState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(service: string, from: UnitState, to: UnitState): void {
  if (!canTransition(from, to)) {
    throw new SidecarError('SIDECAR_UNEXPECTED', `bug: illegal state transition ${from} -> ${to} for ${service}`);
  }
}
