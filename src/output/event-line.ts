import type {LifecycleEvent} from '../supervisor/types.js';
import {sanitizeForTerminal} from './sanitize-terminal.js';

// `events` for people: `2025-01-02T03:04:05.678Z proxy state starting -> running`,
// `... shop stack ready`.
export function eventLine(event: LifecycleEvent): string {
  // A change with no known start (the stack's own events) reads as the state reached.
  const change = event.from !== undefined ? ` ${event.from} -> ${event.to ?? '?'}` : event.to !== undefined ? ` ${event.to}` : '';
  const detail = event.detail ? ` (${event.detail})` : '';
  // Events come from the supervisor over its socket: printed, they must not drive the terminal.
  return sanitizeForTerminal(`${new Date(event.time).toISOString()} ${event.service} ${event.type}${change}${detail}`);
}
