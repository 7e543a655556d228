import {accessSync, constants, statSync} from 'node:fs';
import path from 'node:path';

// Where a command's executable is on this host, as the process runtime would
// find it (a spawn, or the shell that joins its cgroup: execvp's search either
// way): a name with a `/` relative to the service's workdir, a bare name on PATH,
// where an empty entry is the workdir itself (POSIX). Undefined when nothing
// executable is there.
export function hostExecutable(executable: string, workdir: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const candidates = executable.includes('/') ? [path.resolve(workdir, executable)] : searchPath.split(path.delimiter).map((dir) => path.join(path.resolve(workdir, dir || '.'), executable));
  return candidates.find((candidate) => {
    try {
      if (!statSync(candidate).isFile()) return false;
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
