import type {Health, Liveness, Service} from '../manifest/types.js';
import {resolvePodRefs} from '../manifest/pod-refs.js';
import {resolveVolumeRefs} from '../manifest/volume-refs.js';
import type {ProbeAccess} from '../runtime/types.js';
import {ExecProbe} from './exec-probe.js';
import {HttpProbe} from './http-probe.js';
import {LogProbe, type LogSubscribe} from './log-probe.js';
import type {Probe} from './probe.js';
import {TcpProbe} from './tcp-probe.js';

// The probe strategy for a service's health check (or its liveness check), or
// undefined when it has none.
export function makeProbe(service: Service, access: ProbeAccess, subscribeLogs: LogSubscribe, health: Health | Liveness | undefined = service.health): Probe | undefined {
  if (!health) return undefined;
  const check = health.check;
  switch (check.kind) {
    case 'http':
      return new HttpProbe(check, () => access.endpoint(service, check.port));
    case 'tcp':
      return new TcpProbe(check, () => access.endpoint(service, check.port));
    case 'exec':
      {
      // `${volumes.NAME}` and `${pods.NAME.host}` as the runtime places them, as in command and env (DESIGN).
      const podHost = access.podHost?.bind(access);
      const resolve = (arg: string): string => {
        const withVolumes = resolveVolumeRefs(arg, (volume) => access.volumePath(service, volume));
        return podHost ? resolvePodRefs(withVolumes, podHost) : withVolumes;
      };
      const resolved = {...check, command: check.command.map(resolve)};
      return new ExecProbe(resolved, (command, timeoutMs) => access.exec(service, command, {timeoutMs}), health.timeoutMs);
    }
    case 'log':
      return new LogProbe(check, subscribeLogs);
  }
}
