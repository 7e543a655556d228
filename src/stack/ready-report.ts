import {callControl} from '../host/control/control-client.js';
import type {PsResult} from '../host/control/protocol.js';
import {supervisorPeer} from '../host/find-supervisor.js';
import {allServices, type Manifest, type Service} from '../manifest/types.js';
import type {RuntimeKind} from '../runtime/types.js';
import {reachableAt, stackEnv} from './stack-env.js';

// `up --wait --json` / `up -d --json` (issue 14.5): what a CI step needs next,
// on one line of stdout: the stack, each service's state and the addresses at
// which its published ports answer from this machine, and the same
// SIDECAR_<SERVICE>_HOST/_PORT variables `run -- CMD` puts in CMD's env.
export interface ReadyReport {
  project: string;
  runtime: RuntimeKind;
  supervisorPid: number;
  ready: boolean;
  services: {name: string; pod: string; role: Service['role']; state: string; health: string; endpoints: {containerPort: number; protocol: string; address: string}[]}[];
  env: Record<string, string>;
}

export async function readyReport(socket: string, supervisorPid: number, manifest: Manifest, runtime: RuntimeKind, ready: boolean): Promise<ReadyReport> {
  const ps = await callControl<PsResult>(socket, {method: 'ps'}, {peer: supervisorPeer(supervisorPid)});
  const status = new Map(ps.services.map((s) => [s.name, s]));
  return {
    project: manifest.name,
    runtime,
    supervisorPid,
    ready,
    services: allServices(manifest).map((service) => ({
      name: service.id,
      pod: service.pod,
      role: service.role,
      state: status.get(service.id)?.state ?? 'unknown',
      health: status.get(service.id)?.health ?? 'unknown',
      endpoints: service.ports.map((port) => {
        const reached = reachableAt(port, runtime);
        return {containerPort: port.containerPort, protocol: port.protocol, address: `${reached.host}:${reached.port}`};
      }),
    })),
    env: stackEnv(manifest, runtime),
  };
}
