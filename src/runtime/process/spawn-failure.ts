import {statSync} from 'node:fs';
import {SidecarError} from '../../errors/index.js';

// Why a service could not even be spawned, in the user's terms: a missing
// workdir and a missing command both come back from spawn as a bare ENOENT
// (issue 8.6: a missing workdir was reported as "the app completed").
export function spawnFailure(service: string, command: string[], workdir: string, failure: {code?: string; message?: string} | undefined): SidecarError {
  if (!isDirectory(workdir)) {
    return new SidecarError('SIDECAR_STACK_FAILED', `service "${service}" could not start: its workdir ${workdir} does not exist`, {
      suggestion: `create ${workdir}, or fix \`workdir\` of ${service} (relative paths are from the manifest's directory)`,
    });
  }
  if (failure?.code === 'ENOENT') {
    return new SidecarError('SIDECAR_STACK_FAILED', `service "${service}" could not start: command ${command[0]} not found`, {
      suggestion: `install ${command[0]} or put it on PATH, or fix \`command\` of ${service}`,
    });
  }
  return new SidecarError('SIDECAR_STACK_FAILED', `service "${service}" could not start: ${failure?.message ?? failure?.code ?? 'spawn failed'}`, {
    suggestion: `check the command (${command.join(' ')}) and workdir (${workdir})`,
  });
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
