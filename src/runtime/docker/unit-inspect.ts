import type Docker from 'dockerode';
import type {Service} from '../../manifest/types.js';
import type {UnitIdentity, UnitUsage} from '../types.js';
import {inspectByName} from './pod-infra.js';
import {isLoopback, listenersOn} from './pod-listeners.js';

// What the engine and /proc say about a running unit, for probes and `ps --watch`.

// Issue 8.4: refused at the pod's address while the service runs. A server
// bound to 127.0.0.1 works on the host (process runtime) but not in a pod:
// probes come from outside the container's loopback, as Kubernetes probes do.
export async function explainRefused(docker: Docker, container: string, service: Service, containerPort: number): Promise<string | undefined> {
  const info = await inspectByName(docker, container);
  if (!info?.State.Running) return undefined;
  const listeners = await listenersOn(info.State.Pid, containerPort);
  const fix = 'listen on 0.0.0.0 (every address) in a container: probes reach the pod\'s address, not its loopback, as Kubernetes probes do';
  if (listeners === undefined) return `${service.id} runs but refuses connections on the pod's address; if it listens on 127.0.0.1 only, ${fix}`;
  if (listeners.length > 0 && listeners.every(isLoopback)) return `${service.id} listens on ${listeners[0]!.includes(':') ? `[${listeners[0]}]` : listeners[0]}:${containerPort} only: ${fix}`;
  return undefined;
}

// The engine's own accounting: cumulative CPU time and memory less page cache,
// as `docker stats` shows it; one-shot, so no two-sample wait per container.
export async function containerUsage(docker: Docker, identities: UnitIdentity[]): Promise<(UnitUsage | undefined)[]> {
  return Promise.all(
    identities.map(async (identity) => {
      if (identity.kind !== 'docker') return undefined;
      const request = docker.getContainer(identity.containerId).stats({stream: false, 'one-shot': true} as {stream: false}) as Promise<unknown>;
      const stats = (await request.catch(() => undefined)) as {cpu_stats?: {cpu_usage?: {total_usage?: number}}; memory_stats?: {usage?: number; stats?: Record<string, number>}} | undefined;
      const total = stats?.cpu_stats?.cpu_usage?.total_usage;
      if (total === undefined) return undefined;
      const memory = stats?.memory_stats;
      const cache = memory?.stats?.inactive_file ?? memory?.stats?.total_inactive_file ?? memory?.stats?.cache ?? 0;
      return {cpuSeconds: total / 1e9, memoryBytes: Math.max(0, (memory?.usage ?? 0) - cache)};
    }),
  );
}
