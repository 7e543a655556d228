// How a sidecar template connects to the pod it joins (template.json `wiring`),
// so that `init` and `add` leave a stack whose parts work together (issue 8.9).
export interface AppMount {
  // A named volume the app must mount too (the sidecar reads or writes it), and where.
  volume: string;
  target: string;
  // Env the app gets so it finds the volume (`LOG_DIR: ${volumes.shared}`).
  env: Record<string, string>;
}

export interface Wiring {
  // Env keys of the ports the sidecar listens on: moved when another service holds them.
  listen: string[];
  // Env keys naming what the sidecar forwards to: the outermost front proxy, else the app.
  upstream: string[];
  // Env keys naming the app itself (its metrics, its reload endpoint).
  appRefs: string[];
  // Env key of the port clients use: it is published, and every other way into the app is not.
  front?: string;
  appMount?: AppMount;
  // Next steps printed after init/add (`__NAME__`, `__PORT__`: the sidecar and its front port).
  next: string[];
}

export const NO_WIRING: Wiring = {listen: [], upstream: [], appRefs: [], next: []};

// template.json is ours, but read defensively: a malformed entry is ignored, not trusted.
export function readWiring(raw: unknown): Wiring {
  if (typeof raw !== 'object' || raw === null) return NO_WIRING;
  const value = raw as Record<string, unknown>;
  const strings = (key: string): string[] => (Array.isArray(value[key]) ? (value[key] as unknown[]).filter((item): item is string => typeof item === 'string') : []);
  const mount = value.appMount as Record<string, unknown> | undefined;
  const appMount =
    mount && typeof mount.volume === 'string' && typeof mount.target === 'string'
      ? {volume: mount.volume, target: mount.target, env: Object.fromEntries(Object.entries((mount.env ?? {}) as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))}
      : undefined;
  return {
    listen: strings('listen'),
    upstream: strings('upstream'),
    appRefs: strings('appRefs'),
    ...(typeof value.front === 'string' ? {front: value.front} : {}),
    ...(appMount ? {appMount} : {}),
    next: strings('next'),
  };
}
