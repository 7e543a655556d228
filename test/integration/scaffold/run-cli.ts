import {fileURLToPath} from 'node:url';
import {execa, type Result} from 'execa';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));

// The built CLI as a user runs it: non-interactive (no TTY, CI=true), never throwing on a non-zero exit.
export function sidecar(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Result> {
  return execa(process.execPath, [BIN, ...args], {cwd, reject: false, stdin: 'ignore', env: {CI: 'true', NO_COLOR: '1', ...env}, timeout: 60_000});
}
