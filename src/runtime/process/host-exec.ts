import {execa} from 'execa';
import type {ExecOptions, ExecResult} from '../types.js';

// `exec` under the process runtime: the command on the host, with the service's
// env and cwd (DESIGN). Apart from process-runtime.ts and loaded on first use, so
// that a supervisor that never runs `exec` does not load execa (issue 13.1).
export async function runOnHost(file: string, args: string[], where: {cwd: string; env: NodeJS.ProcessEnv}, options: ExecOptions): Promise<ExecResult> {
  const child = execa(file, args, {
    cwd: where.cwd,
    env: where.env,
    extendEnv: false,
    reject: false,
    timeout: options.timeoutMs,
    forceKillAfterDelay: 1000,
    ...(options.interactive ? {stdio: 'inherit' as const} : {stdin: options.stdin ? ('pipe' as const) : ('ignore' as const)}),
  });
  if (options.stdin && child.stdin) {
    // A command that exits without reading all of it closes the pipe: not an error.
    child.stdin.on('error', () => undefined);
    options.stdin.pipe(child.stdin);
  }
  const result = await child;
  options.stdin?.unpipe();
  const exitCode = result.exitCode ?? (result.timedOut ? 124 : spawnFailureCode(result.code));
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const stderr = typeof result.stderr === 'string' ? result.stderr : '';
  // A command that could not even spawn has no stderr: say why in one line, as a shell does.
  const why = result.exitCode === undefined ? spawnFailureLine(file, result.code, result.shortMessage) : '';
  return {exitCode, stdout, stderr: stderr || why};
}

// A command that could not start exits as a POSIX shell says (and `docker exec`
// does): 127 not found, 126 found but not executable; anything else is 1. Also
// `run -- CMD`'s (run-with-stack.ts).
export function spawnFailureLine(file: string, code: string | undefined, fallback: string | undefined): string {
  if (code === 'ENOENT') return `${file}: command not found`;
  if (code === 'EACCES') return `${file}: permission denied`;
  if (code === 'ENOEXEC') return `${file}: cannot execute (not a program or script)`;
  return fallback ?? `${file}: could not be run`;
}

export function spawnFailureCode(code: string | undefined): number {
  if (code === 'ENOENT') return 127;
  if (code === 'EACCES' || code === 'ENOEXEC') return 126;
  return 1;
}
