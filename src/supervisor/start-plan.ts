import {SidecarError} from '../errors/index.js';
import type {Pod, Service} from '../manifest/types.js';

// What must be ready before a sidecar or the app starts (DESIGN 1): the previous
// sidecar (ordered startup), every sidecar (for the app), and `after`.
export function gatesOf(pod: Pod, service: Service): string[] {
  const gates = new Set<string>();
  const names = new Set(pod.sidecars.map((s) => s.name).concat(pod.app.name));
  if (service.role === 'app') {
    for (const sidecar of pod.sidecars) gates.add(sidecar.name);
  } else if (service.role === 'sidecar' && pod.startup === 'ordered') {
    const index = pod.sidecars.findIndex((s) => s.name === service.name);
    if (index > 0) gates.add(pod.sidecars[index - 1]!.name);
  }
  // `after` may name init jobs; those are done before any sidecar starts.
  for (const name of service.after) if (names.has(name)) gates.add(name);
  return [...gates];
}

// Sidecars and app to start for `up [SERVICE...]`: the named ones and what they wait for.
export function selectServices(pod: Pod, only: string[] | undefined): Service[] {
  const longRunning = [...pod.sidecars, pod.app];
  if (!only || only.length === 0) return longRunning;
  const byName = new Map(longRunning.map((s) => [s.name, s]));
  const initNames = new Set(pod.init.map((s) => s.name));
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name) || initNames.has(name)) return;
    const service = byName.get(name);
    if (!service) {
      throw new SidecarError('SIDECAR_UNKNOWN_SERVICE', `no service named "${name}"`, {
        suggestion: `known services: ${[...byName.keys()].join(', ')}`,
      });
    }
    wanted.add(name);
    for (const gate of gatesOf(pod, service)) visit(gate);
  };
  for (const name of only) visit(name);
  return longRunning.filter((s) => wanted.has(s.name));
}
