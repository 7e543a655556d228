import type {LifecycleEvent} from '../supervisor/types.js';
import {sanitizeForTerminal} from './sanitize-terminal.js';

// `events` for people: `2025-01-02T03:04:05.678Z proxy state starting -> running`.
export function eventLine(event: LifecycleEvent): string {
  const change = event.from !== undefined || event.to !== undefined ? ` ${event.from ?? '?'} -> ${event.to ?? '?'}` : '';
  const detail = event.detail ? ` (${event.detail})` : '';
  // Events come from the supervisor over its socket: printed, they must not drive the terminal.
  return sanitizeForTerminal(`${new Date(event.time).toISOString()} ${event.service} ${event.type}${change}${detail}`);
}
