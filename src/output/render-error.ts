import {formatPlace, type SidecarError} from '../errors/index.js';
import {theme} from './theme.js';

// One block per error: code, place, what is wrong, what to do (DESIGN "Exit codes").
// A manifest with several problems lists each with its own place and fix.
export function renderError(error: SidecarError): string {
  const lines: string[] = [`${theme.error('Error')} ${theme.dim(error.code)}: ${error.message}`];
  if (error.problems.length === 0) {
    if (error.place) lines.push(`  ${theme.place(formatPlace(error.place))}`);
    if (error.suggestion) lines.push(`  ${theme.hint('fix:')} ${error.suggestion}`);
    return lines.join('\n');
  }
  for (const problem of error.problems) {
    lines.push(problem.place ? `  ${theme.place(formatPlace(problem.place))}` : '  (manifest)');
    lines.push(`    ${problem.message}`);
    if (problem.suggestion) lines.push(`    ${theme.hint('fix:')} ${problem.suggestion}`);
  }
  return lines.join('\n');
}
