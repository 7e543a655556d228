import type {UpdateResult} from '../supervisor/supervisor.js';

// What `up` did to a stack that was already running: one line.
export function updateSummary(project: string, supervisorPid: number, result: UpdateResult): string {
  if (result.recreated.length === 0 && result.started.length === 0) return `${project} is up to date (supervisor pid ${supervisorPid})`;
  const parts = [
    ...(result.started.length > 0 ? [`started ${result.started.join(', ')}`] : []),
    ...(result.recreated.length > 0 ? [`recreated ${result.recreated.join(', ')}`] : []),
    `unchanged ${result.unchanged.join(', ') || 'none'}`,
  ];
  return `${project}: ${parts.join('; ')}`;
}
