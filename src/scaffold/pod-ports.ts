// What the services of a manifest listen on and publish, read from its plain
// data (before interpolation: a value still holding `${...}` is not a known port).
export interface ServiceData {
  name: string;
  role: 'app' | 'sidecar' | 'init';
  data: Record<string, unknown>;
}

export function servicesOf(manifest: Record<string, unknown>): ServiceData[] {
  const out: ServiceData[] = [];
  const app = manifest.app;
  if (isRecord(app)) out.push({name: 'app', role: 'app', data: app});
  for (const [section, role] of [['sidecars', 'sidecar'], ['init', 'init']] as const) {
    const map = manifest[section];
    if (isRecord(map)) for (const [name, data] of Object.entries(map)) if (isRecord(data)) out.push({name, role, data});
  }
  return out;
}

export interface Published {
  host: number;
  container: number;
}

// `8080`, `8000:8080`, `127.0.0.1:8000:8080`, with an optional `/tcp`.
export function parsePortSpec(spec: unknown): Published | undefined {
  const text = String(spec).replace(/\/(tcp|udp)$/, '');
  const parts = text.split(':');
  const container = toPort(parts.at(-1));
  if (container === undefined) return undefined;
  const host = parts.length >= 2 ? toPort(parts.at(-2)) : container;
  return host === undefined ? undefined : {host, container};
}

export function publishedPorts(service: ServiceData): Published[] {
  const ports = service.data.ports;
  return Array.isArray(ports) ? ports.map(parsePortSpec).filter((port): port is Published => port !== undefined) : [];
}

// Ports the service listens on inside the pod: probe ports, container ports and `*PORT` env values.
export function listenedPorts(service: ServiceData): number[] {
  const found: number[] = [];
  const health = service.data.health;
  if (isRecord(health)) {
    for (const kind of ['http', 'tcp']) {
      const check = health[kind];
      const port = isRecord(check) ? toPort(check.port) : undefined;
      if (port !== undefined) found.push(port);
    }
  }
  found.push(...publishedPorts(service).map((port) => port.container));
  const env = service.data.env;
  if (isRecord(env)) {
    for (const [key, value] of Object.entries(env)) {
      const port = /(^|_)PORT$/.test(key) && !/UPSTREAM/.test(key) ? toPort(value) : undefined;
      if (port !== undefined) found.push(port);
    }
  }
  return [...new Set(found)];
}

// The app's port: its probe's, else its PORT env, else its first container port.
export function appPortOf(manifest: Record<string, unknown>): number | undefined {
  const app = servicesOf(manifest).find((service) => service.role === 'app');
  if (!app) return undefined;
  const health = app.data.health;
  if (isRecord(health)) {
    for (const kind of ['http', 'tcp']) {
      const check = health[kind];
      const port = isRecord(check) ? toPort(check.port) : undefined;
      if (port !== undefined) return port;
    }
  }
  const env = app.data.env;
  const fromEnv = isRecord(env) ? toPort(env.PORT) : undefined;
  return fromEnv ?? publishedPorts(app)[0]?.container;
}

// The port a loopback upstream reference names: `8080`, `127.0.0.1:8080`, `http://localhost:8080/`.
// A URL with a path (`/metrics.json`) is a call to the app, not a way in.
export function upstreamPort(value: unknown): number | undefined {
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return toPort(text);
  const match = /^(?:https?:\/\/)?(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)\/?$/.exec(text);
  return match ? toPort(match[1]) : undefined;
}

// A sidecar in front of the app (or of another front): it publishes a port and forwards to a loopback port.
export function isFront(service: ServiceData): boolean {
  if (service.role !== 'sidecar' || publishedPorts(service).length === 0) return false;
  const env = service.data.env;
  return isRecord(env) && Object.entries(env).some(([key, value]) => /UPSTREAM/.test(key) && upstreamPort(value) !== undefined);
}

// The same reference pointed at another port (`http://127.0.0.1:8080/-/reload` -> `...:9000/-/reload`).
export function withPort(value: string, port: number): string {
  if (/^\d+$/.test(value.trim())) return String(port);
  return value.replace(/((?:127\.0\.0\.1|localhost|\[::1\]):)\d+/g, `$1${port}`);
}

export function toPort(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
