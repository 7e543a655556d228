import {fileURLToPath} from 'node:url';
import {execa} from 'execa';

const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// The built CLI as a user runs it: non-interactive (no TTY, CI=true), never throwing on a non-zero exit.
export async function sidecar(args: string[], cwd: string, env: Record<string, string> = {}, timeout = 60_000): Promise<CliResult> {
  const result = await execa(process.execPath, [BIN, ...args], {cwd, reject: false, stdin: 'ignore', env: {CI: 'true', NO_COLOR: '1', ...env}, timeout});
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)};
}

// Any program (npm, the generated project's tests), same conventions.
export async function run(file: string, args: string[], cwd: string, env: Record<string, string> = {}, timeout = 120_000): Promise<CliResult> {
  const result = await execa(file, args, {cwd, reject: false, stdin: 'ignore', env: {CI: 'true', ...env}, timeout});
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr)};
}
