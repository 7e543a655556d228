import type {Manifest, Service} from '../../manifest/types.js';
import type {ServiceCgroup} from './cgroup/service-cgroup.js';
import type {UnitLimits} from './cgroup/unit-limits.js';
import {serviceEnv, serviceWorkdir} from './service-env.js';
import {spawnChild, type UnitChild} from './unit-child.js';

export interface Spawned extends UnitChild {
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
  const spawned = spawnChild(program!, programArgs, {cwd: serviceWorkdir(service), env, stdin: waitForGo ? 'pipe' : 'ignore'});
  return {...spawned, ...(cgroup ? {cgroup} : {})};
}
