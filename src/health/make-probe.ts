import type {Service} from '../manifest/types.js';
import {resolveVolumeRefs} from '../manifest/volume-refs.js';
import type {ProbeAccess} from '../runtime/types.js';
import {ExecProbe} from './exec-probe.js';
import {HttpProbe} from './http-probe.js';
import {LogProbe, type LogSubscribe} from './log-probe.js';
import type {Probe} from './probe.js';
import {TcpProbe} from './tcp-probe.js';

// The probe strategy for a service's health check, or undefined when it has none.
export function makeProbe(service: Service, access: ProbeAccess, subscribeLogs: LogSubscribe): Probe | undefined {
  const health = service.health;
  if (!health) return undefined;
  const check = health.check;
  switch (check.kind) {
    case 'http':
      return new HttpProbe(check, () => access.endpoint(service, check.port));
    case 'tcp':
      return new TcpProbe(check, () => access.endpoint(service, check.port));
    case 'exec':
      {
      // `${volumes.NAME}` as the runtime places it, as in command and env (DESIGN).
      const resolved = {...check, command: check.command.map((arg) => resolveVolumeRefs(arg, (volume) => access.volumePath(service, volume)))};
      return new ExecProbe(resolved, (command, timeoutMs) => access.exec(service, command, {timeoutMs}), health.timeoutMs);
    }
    case 'log':
      return new LogProbe(check, subscribeLogs);
  }
}
