import type {Check, Health, Liveness} from '../types.js';
import type {PathSegment} from '../source.js';
import type {K8sReader, Raw} from './k8s-reader.js';

interface Probe {
  key: string;
  check?: Check;
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
  initialDelayMs: number;
}

const PROBE_KEYS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'];

// A port as a probe or a Service writes it: a number, or the name of one of the container's ports.
export function portOf(r: K8sReader, value: unknown, path: readonly PathSegment[], named: Map<string, number>): number | undefined {
  if (typeof value === 'string' && !/^\d+$/.test(value)) {
    const port = named.get(value);
    if (port === undefined) r.error(path, `no container port is named "${value}"`, `name it under ports (- {name: ${value}, containerPort: N}) or write the number`);
    return port;
  }
  return r.int(typeof value === 'string' ? Number(value) : value, path, 1, 65535);
}

function readProbe(r: K8sReader, service: string, raw: Raw, path: PathSegment[], key: string, named: Map<string, number>): Probe {
  const seconds = (field: string, fallback: number, min: number) => (r.int(raw[field], [...path, field], min) ?? fallback) * 1000;
  const probe: Probe = {
    key,
    periodMs: seconds('periodSeconds', 10, 1),
    timeoutMs: seconds('timeoutSeconds', 1, 1),
    failureThreshold: r.int(raw.failureThreshold, [...path, 'failureThreshold'], 1) ?? 3,
    initialDelayMs: seconds('initialDelaySeconds', 0, 0),
  };
  const success = r.int(raw.successThreshold, [...path, 'successThreshold'], 1);
  if (success !== undefined && success > 1) r.loss(service, [...path, 'successThreshold'], `one passing check counts here, not ${success}`);
  r.unused(service, raw, path, PROBE_KEYS);
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((handler) => raw[handler] !== undefined && raw[handler] !== null);
  if (handlers.length !== 1) {
    r.error(path, handlers.length === 0 ? `${key} has no handler` : `${key} has ${handlers.length} handlers (${handlers.join(', ')})`, 'give exactly one of httpGet, tcpSocket or exec');
    return probe;
  }
  const handler = handlers[0]!;
  const at = [...path, handler];
  const body = r.map(raw[handler], at) ?? {};
  if (handler === 'grpc') {
    r.loss(service, at, 'gRPC health checks are not run here: the container is not probed (use exec with grpc_health_probe, or tcpSocket)');
    return probe;
  }
  if (handler === 'exec') {
    const command = r.strings(body.command, [...at, 'command']);
    if (!command || command.length === 0) r.error([...at, 'command'], 'exec needs a command', 'write command: [cmd, arg, ...]');
    else probe.check = {kind: 'exec', command};
    return probe;
  }
  if (body.host !== undefined) r.loss(service, [...at, 'host'], 'probes go to the pod itself here; host is ignored');
  if (body.port === undefined) {
    r.error(at, `${handler} needs a port`, 'write port: N (or the name of a container port)');
    return probe;
  }
  const port = portOf(r, body.port, [...at, 'port'], named);
  if (port === undefined) return probe;
  if (handler === 'tcpSocket') {
    probe.check = {kind: 'tcp', port};
    return probe;
  }
  const scheme = r.string(body.scheme, [...at, 'scheme']) ?? 'HTTP';
  if (scheme !== 'HTTP' && scheme !== 'HTTPS') r.error([...at, 'scheme'], `scheme must be HTTP or HTTPS, not ${scheme}`, 'write HTTP or HTTPS');
  const headers: Record<string, string> = {};
  r.list(body.httpHeaders, [...at, 'httpHeaders']).forEach((item, i) => {
    const header = r.map(item, [...at, 'httpHeaders', i]) ?? {};
    const name = r.string(header.name, [...at, 'httpHeaders', i, 'name']);
    if (name) headers[name] = r.string(header.value, [...at, 'httpHeaders', i, 'value']) ?? '';
  });
  probe.check = {kind: 'http', port, path: r.string(body.path, [...at, 'path']) ?? '/', scheme: scheme === 'HTTPS' ? 'https' : 'http', headers};
  return probe;
}

const sameCheck = (a: Probe, b: Probe): boolean => JSON.stringify(a.check) === JSON.stringify(b.check);

// Kubernetes' three probes as the supervisor runs them: the startupProbe (else the
// readinessProbe) gates the start, as KEP-753 gates the next sidecar, and then
// marks readiness without restarting; the livenessProbe runs from ready on, and
// its failureThreshold failures restart the container. What cannot be said is a loss.
export function probesOf(r: K8sReader, service: string, container: Raw, path: PathSegment[], named: Map<string, number>): {health?: Health; liveness?: Liveness} {
  const read = (key: string): Probe | undefined => {
    const raw = r.map(container[key], [...path, key]);
    return raw ? readProbe(r, service, raw, [...path, key], key, named) : undefined;
  };
  const startup = read('startupProbe');
  const readiness = read('readinessProbe');
  const live = read('livenessProbe');
  const gate = startup?.check ? startup : readiness?.check ? readiness : undefined;
  const probes: {health?: Health; liveness?: Liveness} = {};
  if (gate) {
    if (startup?.check && readiness?.check && !sameCheck(startup, readiness)) {
      r.loss(service, [...path, 'readinessProbe'], 'after the start, the startupProbe\'s check marks readiness here; this readinessProbe\'s own check is not run');
    }
    // After the start: the readinessProbe's cadence where it checks the same thing.
    const after = readiness?.check && sameCheck(gate, readiness) ? readiness : gate;
    // A startupProbe gives up after initialDelay + period x failureThreshold (then
    // Kubernetes restarts the container); a readinessProbe waits as long as the
    // default startTimeout here (60s), or that bound when longer.
    const bound = gate.initialDelayMs + gate.periodMs * gate.failureThreshold;
    probes.health = {
      check: gate.check!,
      intervalMs: after.periodMs,
      timeoutMs: Math.max(gate.timeoutMs, after.timeoutMs),
      retries: after.failureThreshold,
      startPeriodMs: gate.initialDelayMs,
      startTimeoutMs: gate.key === 'startupProbe' ? bound : Math.max(60_000, bound),
      afterReady: 'mark',
    };
  }
  if (live?.check && live.check.kind !== 'log') {
    probes.liveness = {check: live.check, intervalMs: live.periodMs, timeoutMs: live.timeoutMs, retries: live.failureThreshold, startPeriodMs: live.initialDelayMs};
  }
  return probes;
}
