import {formatPlace, type SidecarError} from '../errors/index.js';
import {sanitizeForTerminal} from './sanitize-terminal.js';
import {theme} from './theme.js';

// One block per error: code, place, what is wrong, what to do (DESIGN "Exit codes").
// A manifest with several problems lists each with its own place and fix.
// Messages may quote what services printed (the last log lines of a failed start)
// or what a manifest holds: nothing in them may drive the terminal (issue 9.1).
export function renderError(error: SidecarError): string {
  const clean = (text: string): string => sanitizeForTerminal(text);
  const lines: string[] = [`${theme.error('Error')} ${theme.dim(error.code)}: ${clean(error.message)}`];
  if (error.problems.length === 0) {
    if (error.place) lines.push(`  ${theme.place(clean(formatPlace(error.place)))}`);
    if (error.suggestion) lines.push(`  ${theme.hint('fix:')} ${clean(error.suggestion)}`);
    return lines.join('\n');
  }
  for (const problem of error.problems) {
    lines.push(problem.place ? `  ${theme.place(clean(formatPlace(problem.place)))}` : '  (manifest)');
    lines.push(`    ${clean(problem.message)}`);
    if (problem.suggestion) lines.push(`    ${theme.hint('fix:')} ${clean(problem.suggestion)}`);
  }
  return lines.join('\n');
}
