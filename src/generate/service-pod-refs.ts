import {podRefs} from '../manifest/pod-refs.js';
import {checksOf, type Service} from '../manifest/types.js';

// The pods a service reaches through `${pods.NAME.host}`, in first-use order:
// in what a container sees (env, command, exec probe), plus, with `process`,
// the process runtime's overrides.
export function podRefsOf(service: Service, process = false): string[] {
  const strings = [...Object.values(service.env), ...(service.command ?? [])];
  for (const {check} of checksOf(service)) if (check.kind === 'exec') strings.push(...check.command);
  if (process) strings.push(...Object.values(service.process.env), ...(service.process.command ?? []));
  return [...new Set(strings.flatMap(podRefs))];
}
