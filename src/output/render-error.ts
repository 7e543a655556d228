import {formatPlace, type SidecarError} from '../errors/index.js';
import {theme} from './theme.js';

// One block per error: code, place, what is wrong, what to do (DESIGN "Exit codes").
export function renderError(error: SidecarError): string {
  const lines: string[] = [];
  lines.push(`${theme.error('Error')} ${theme.dim(error.code)}`);
  if (error.place) lines.push(`  ${theme.place(formatPlace(error.place))}`);
  lines.push(`  ${error.message}`);
  if (error.suggestion) lines.push(`  ${theme.hint('fix:')} ${error.suggestion}`);
  for (const problem of error.problems) {
    lines.push('');
    if (problem.place) lines.push(`  ${theme.place(formatPlace(problem.place))}`);
    lines.push(`    ${problem.message}`);
    if (problem.suggestion) lines.push(`    ${theme.hint('fix:')} ${problem.suggestion}`);
  }
  return lines.join('\n');
}
