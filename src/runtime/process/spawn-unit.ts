import type {Manifest, Service} from '../../manifest/types.js';
import type {ServiceCgroup} from './cgroup/service-cgroup.js';
import type {UnitLimits, WrapMode} from './cgroup/unit-limits.js';
import {nodeAheadEnv} from '../node-ahead.js';
import {serviceEnv, serviceWorkdir} from './service-env.js';
import {AheadChannel} from './ahead-channel.js';
import {spawnChild, type UnitChild} from './unit-child.js';

export interface Spawned extends UnitChild {
  cgroup?: ServiceCgroup;
  // Made ahead: how it is told to go, and heard joining its cgroup.
  channel?: AheadChannel;
}

// The service's process, in its cgroup where one can be made. `waitForGo`: made
// ahead, waiting for `go` on its fd 3 (ahead-channel.ts): a Node program started
// up, in its preload (node-ahead.ts), any other program in the shell that joins
// its cgroup. Undefined where it can do neither (no cgroup, and not a Node
// program that can): it is then made at its start.
export function spawnUnit(manifest: Manifest, runId: string, limits: UnitLimits | undefined, service: Service, command: string[], waitForGo: boolean): Spawned | undefined {
  const env = serviceEnv(manifest, service, {runId});
  const workdir = serviceWorkdir(service);
  const nodeWaits = waitForGo ? nodeAheadEnv(command, workdir, env) : undefined;
  const cgroup = limits?.groupFor(service);
  const mode: WrapMode = !waitForGo ? 'now' : nodeWaits ? 'run-waiting' : 'wait';
  const wrapped = cgroup || nodeWaits ? limits?.wrap(cgroup, command, workdir, env.PATH, mode) : undefined;
  if (waitForGo && !wrapped) {
    void cgroup?.remove();
    return undefined;
  }
  const [program, ...programArgs] = wrapped ?? command;
  const spawned = spawnChild(program!, programArgs, {cwd: workdir, env: nodeWaits ? {...env, ...nodeWaits} : env, goPipe: waitForGo});
  return {...spawned, ...(cgroup ? {cgroup} : {}), ...(waitForGo ? {channel: new AheadChannel(spawned.child)} : {})};
}
