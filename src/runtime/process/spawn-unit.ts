import {execa} from 'execa';
import type {Manifest, Service} from '../../manifest/types.js';
import type {ServiceCgroup} from './cgroup/service-cgroup.js';
import type {UnitLimits} from './cgroup/unit-limits.js';
import {serviceEnv, serviceWorkdir} from './service-env.js';

export interface Spawned {
  subprocess: ReturnType<typeof execa>;
  cgroup?: ServiceCgroup;
}

// The service's process, in its cgroup where one can be made; `waitForGo`: made
// ahead, waiting for a line on its stdin (undefined where it cannot be wrapped).
export function spawnUnit(manifest: Manifest, runId: string, limits: UnitLimits | undefined, service: Service, command: string[], waitForGo: boolean): Spawned | undefined {
  const env = serviceEnv(manifest, service, {runId});
  const cgroup = limits?.groupFor(service);
  const wrapped = cgroup ? limits!.wrap(cgroup, command, serviceWorkdir(service), env.PATH, waitForGo) : undefined;
  if (waitForGo && !wrapped) {
    void cgroup?.remove();
    return undefined;
  }
  const [program, ...programArgs] = wrapped ?? command;
  const subprocess = execa(program!, programArgs, {
    cwd: serviceWorkdir(service),
    env,
    extendEnv: false,
    // Own session and process group: signals reach every child, and a terminal Ctrl-C does not.
    detached: true,
    cleanup: false,
    stdin: waitForGo ? 'pipe' : 'ignore',
    buffer: false,
    encoding: 'buffer',
    reject: false,
  });
  // Go said to one that died meanwhile: its exit is handled as the unit's.
  subprocess.stdin?.on('error', () => undefined);
  if (waitForGo) void subprocess.then(() => undefined, () => undefined);
  return {subprocess, ...(cgroup ? {cgroup} : {})};
}
