import {execFile} from 'node:child_process';
import {accessSync, constants, statSync} from 'node:fs';
import path from 'node:path';

export interface ToolStatus {
  name: string;
  found: boolean;
  path?: string;
  version?: string;
  error?: string;
}

// The tools a user of sidecar may want beside it, and how each tells its version.
export const TOOLS: {name: string; args: string[]}[] = [
  {name: 'docker', args: ['--version']},
  {name: 'docker-compose', args: ['--version']},
  {name: 'podman', args: ['--version']},
  {name: 'kubectl', args: ['version', '--client']},
];

// PATH lookup without spawning a shell (`which` is not everywhere).
export function findOnPath(name: string, envPath: string): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function firstVersion(output: string): string | undefined {
  return /\bv?(\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?)/.exec(output)?.[1];
}

export function toolStatus(name: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 3000): Promise<ToolStatus> {
  const found = findOnPath(name, env.PATH ?? '');
  if (!found) return Promise.resolve({name, found: false});
  return new Promise((resolve) => {
    execFile(found, args, {env, timeout: timeoutMs, encoding: 'utf8'}, (error, stdout, stderr) => {
      const version = firstVersion(`${stdout}\n${stderr}`);
      if (error && !version) resolve({name, found: true, path: found, error: `\`${name} ${args.join(' ')}\` failed: ${(stderr || error.message).trim().split('\n')[0]}`});
      else resolve({name, found: true, path: found, ...(version ? {version} : {})});
    });
  });
}
