import type {UpdateResult} from '../supervisor/supervisor.js';
import {sanitizeForTerminal} from './sanitize-terminal.js';

// What `up` did to a stack that was already running: one line (names as the supervisor sent them, made inert).
export function updateSummary(project: string, supervisorPid: number, result: UpdateResult): string {
  return sanitizeForTerminal(summary(project, supervisorPid, result));
}

function summary(project: string, supervisorPid: number, result: UpdateResult): string {
  if (result.recreated.length === 0 && result.started.length === 0) return `${project} is up to date (supervisor pid ${supervisorPid})`;
  const parts = [
    ...(result.started.length > 0 ? [`started ${result.started.join(', ')}`] : []),
    ...(result.recreated.length > 0 ? [`recreated ${result.recreated.join(', ')}`] : []),
    ...(result.unchanged.length > 0 ? [`unchanged ${result.unchanged.join(', ')}`] : []),
  ];
  return `${project}: ${parts.join('; ')}`;
}
