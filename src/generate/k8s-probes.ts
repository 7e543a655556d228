import {inContainer} from './container-env.js';
import type {Check, Health, Liveness, Service} from '../manifest/types.js';
import {goDuration, wholeSeconds} from './durations.js';
import type {LossList} from './loss.js';

export type K8sHandler =
  | {httpGet: {path: string; port: number; scheme: 'HTTP' | 'HTTPS'; httpHeaders?: {name: string; value: string}[]}}
  | {tcpSocket: {port: number}}
  | {exec: {command: string[]}};

export type K8sProbe = K8sHandler & {
  initialDelaySeconds?: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
};

export interface K8sProbes {
  startupProbe?: K8sProbe;
  readinessProbe?: K8sProbe;
  livenessProbe?: K8sProbe;
}

// One-to-one: http → httpGet, tcp → tcpSocket, exec → exec. A log probe has no equivalent.
function handler(service: Service, check: Check): K8sHandler | undefined {
  switch (check.kind) {
    case 'http': {
      const headers = Object.entries(check.headers).map(([name, value]) => ({name, value}));
      return {httpGet: {path: check.path, port: check.port, scheme: check.scheme === 'https' ? 'HTTPS' : 'HTTP', ...(headers.length > 0 ? {httpHeaders: headers} : {})}};
    }
    case 'tcp':
      return {tcpSocket: {port: check.port}};
    case 'exec':
      return {exec: {command: check.command.map((arg) => inContainer(service, arg))}};
    case 'log':
      return undefined;
  }
}

function reportRounding(service: string, field: 'health' | 'liveness', health: Health | Liveness, losses: LossList): void {
  for (const [key, ms] of [['interval', health.intervalMs], ['timeout', health.timeoutMs], ['startPeriod', health.startPeriodMs]] as const) {
    if (ms % 1000 !== 0) losses.add(service, `${field}.${key}`, `Kubernetes counts probe times in whole seconds: ${goDuration(ms)} became ${wholeSeconds(ms, 0)}s`);
  }
}

// startupProbe: the "ready once" gate (DESIGN 2) — polled every second, the
// finest Kubernetes allows (sidecar polls every 100ms), for startTimeout in total.
// readinessProbe: the health check at `interval` once ready. livenessProbe: the
// `liveness` check where there is one (then `health` only marks readiness), else
// the health check, which restarts the container after `retries` failures, as the
// supervisor does (DESIGN 3).
export function k8sProbes(service: Service, losses: LossList): K8sProbes {
  const probes: K8sProbes = {};
  const health = service.health;
  const gate = health ? handler(service, health.check) : undefined;
  if (health && !gate) losses.add(service.id, 'health.log', 'Kubernetes has no log-line probe: dropped, so the pod starts what comes next without waiting for it to be ready');
  if (health && gate) {
    reportRounding(service.id, 'health', health, losses);
    const timeoutSeconds = wholeSeconds(health.timeoutMs);
    probes.startupProbe = {
      ...gate,
      ...(health.startPeriodMs > 0 ? {initialDelaySeconds: wholeSeconds(health.startPeriodMs, 0)} : {}),
      periodSeconds: 1,
      timeoutSeconds,
      failureThreshold: Math.max(1, Math.ceil((health.startTimeoutMs - health.startPeriodMs) / 1000)),
    };
    const running: K8sProbe = {...gate, periodSeconds: wholeSeconds(health.intervalMs), timeoutSeconds, failureThreshold: health.retries};
    probes.readinessProbe = {...running};
    if (health.afterReady !== 'mark') probes.livenessProbe = {...running};
  }
  const liveness = service.liveness;
  const live = liveness ? handler(service, liveness.check) : undefined;
  if (liveness && live) {
    reportRounding(service.id, 'liveness', liveness, losses);
    probes.livenessProbe = {
      ...live,
      ...(liveness.startPeriodMs > 0 ? {initialDelaySeconds: wholeSeconds(liveness.startPeriodMs, 0)} : {}),
      periodSeconds: wholeSeconds(liveness.intervalMs),
      timeoutSeconds: wholeSeconds(liveness.timeoutMs),
      failureThreshold: liveness.retries,
    };
  }
  return probes;
}
