import {isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Document} from 'yaml';
import {appPortOf, isFront, listenedPorts, parsePortSpec, publishedPorts, servicesOf, toPort, withPort} from './pod-ports.js';
import type {Wiring} from './template-wiring.js';

// Connects a placed fragment to the pod it joins (issue 8.9), before it is
// added to `doc`: its ports move off ports another service holds (issue 8.3),
// it forwards to the outermost front proxy or the app on the app's real port,
// a front proxy becomes the only published way in, and the app mounts the
// volume the sidecar reads. Returns what changed and what to do next, for people.
export function wireSidecar(doc: Document, name: string, node: YAMLMap, wiring: Wiring): string[] {
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  const services = servicesOf(data);
  const notes: string[] = [];
  const env = envOf(node);

  // Who holds which port (listened in the pod, or published on the host).
  const holders = new Map<number, string>();
  for (const service of services) {
    for (const port of listenedPorts(service)) holders.set(port, service.name);
    for (const port of publishedPorts(service)) holders.set(port.host, service.name);
  }
  const remap = new Map<number, number>();
  for (const key of wiring.listen) {
    const wanted = toPort(env.get(key));
    if (wanted === undefined) continue;
    const holder = holders.get(wanted);
    const port = holder === undefined ? wanted : freePortAfter(wanted, holders);
    holders.set(port, name);
    if (port === wanted) continue;
    remap.set(wanted, port);
    env.set(key, String(port));
    notes.push(`port ${wanted} is taken by ${holder}: ${name} listens on ${port} instead (${key})`);
  }
  movePorts(node, remap);

  const appPort = appPortOf(data);
  if (appPort === undefined && (wiring.upstream.length > 0 || wiring.appRefs.length > 0)) {
    notes.push(`the app's port is not known (no health probe, env PORT or ports in the manifest): ${name} calls 127.0.0.1:8080; change ${[...wiring.upstream, ...wiring.appRefs].join(', ')} if the app listens elsewhere`);
  }
  const app = appPort ?? 8080;
  const fronts = services.filter(isFront);
  const outer = wiring.front ? fronts.at(-1) : undefined;
  const upstream = outer ? publishedPorts(outer)[0]!.container : app;
  for (const key of wiring.upstream) rewrite(env, key, upstream);
  for (const key of wiring.appRefs) rewrite(env, key, app);

  let published: number | undefined = publishedPortsOf(node)[0]?.host;
  if (wiring.front) {
    const port = toPort(env.get(wiring.front));
    if (port !== undefined) {
      published = publishFront(node, port, services.flatMap((service) => publishedPorts(service).map((spec) => spec.host)));
      if (outer) notes.push(`${name} forwards to ${outer.name} on ${upstream}, which forwards to the app`);
      for (const service of services.filter((candidate) => candidate.role === 'app' || fronts.includes(candidate))) {
        const ports = publishedPorts(service);
        if (ports.length === 0) continue;
        const path = service.role === 'app' ? ['app'] : ['sidecars', service.name];
        const owner = doc.getIn(path, true);
        if (isMap(owner)) owner.delete('ports');
        notes.push(`${service.name} is no longer published (was ${ports.map((spec) => spec.host).join(', ')}): clients come in through ${name} on ${published}`);
      }
    }
  }

  if (wiring.appMount) notes.push(...mountInApp(doc, name, wiring.appMount));
  const shown = published ?? toPort(env.get(wiring.listen[0] ?? '')) ?? '';
  notes.push(...wiring.next.map((line) => line.replaceAll('__NAME__', name).replaceAll('__PORT__', String(shown))));
  return notes;
}

function envOf(node: YAMLMap): YAMLMap {
  const env = node.get('env', true);
  if (isMap(env)) return env;
  const created = new YAMLMap();
  node.set('env', created);
  return created;
}

function freePortAfter(port: number, holders: Map<number, string>): number {
  for (let candidate = port + 1; candidate <= 65_535; candidate++) if (!holders.has(candidate)) return candidate;
  for (let candidate = 1024; candidate < port; candidate++) if (!holders.has(candidate)) return candidate;
  return port;
}

// The fragment's probe and port specs follow the ports its env moved.
function movePorts(node: YAMLMap, remap: Map<number, number>): void {
  if (remap.size === 0) return;
  // The fragment's leading comment names its ports too ("the app calls
  // http://127.0.0.1:15001"): an address's port moves with it. The comment is on
  // the map or on its first key, depending on how the fragment was parsed.
  const movedIn = (text: string): string => text.replace(/(?<=:)\d+\b/g, (port) => String(remap.get(Number(port)) ?? port));
  if (node.commentBefore) node.commentBefore = movedIn(node.commentBefore);
  const firstKey = node.items[0]?.key;
  if (isScalar(firstKey) && firstKey.commentBefore) firstKey.commentBefore = movedIn(firstKey.commentBefore);
  const health = node.get('health', true);
  if (isMap(health)) {
    for (const kind of ['http', 'tcp']) {
      const check = health.get(kind, true);
      const port = isMap(check) ? toPort(check.get('port')) : undefined;
      if (isMap(check) && port !== undefined && remap.has(port)) check.set('port', remap.get(port));
    }
  }
  const ports = node.get('ports', true);
  if (!isSeq(ports)) return;
  for (const item of ports.items) {
    // `[ip:]host:container[/proto]` or `container[/proto]`: each number moved on its own.
    if (isScalar(item)) item.value = String(item.value).replace(/\d+(?=(:\d+)?(\/\w+)?$)|\d+(?=(\/\w+)?$)/g, (port) => String(remap.get(Number(port)) ?? port));
  }
}

function publishedPortsOf(node: YAMLMap): {host: number; container: number}[] {
  const ports = node.get('ports', true);
  return isSeq(ports) ? ports.items.map((item) => parsePortSpec(isScalar(item) ? item.value : undefined)).filter((spec) => spec !== undefined) : [];
}

function rewrite(env: YAMLMap, key: string, port: number): void {
  const value = env.get(key);
  if (typeof value === 'string' && !value.includes('${')) env.set(key, withPort(value, port));
}

// The front's port is published (on a host port no other service publishes); returns that host port.
function publishFront(node: YAMLMap, port: number, takenOnHost: number[]): number {
  const existing = publishedPortsOf(node).find((spec) => spec.container === port);
  let host = existing?.host ?? port;
  while (takenOnHost.includes(host)) host += 1;
  const spec = new Scalar(`${host}:${port}`);
  spec.type = 'QUOTE_DOUBLE';
  const seq = new YAMLSeq();
  seq.flow = true;
  seq.items.push(spec);
  const index = node.items.findIndex((item) => isScalar(item.key) && item.key.value === 'ports');
  if (index >= 0) {
    (node.items[index] as Pair<unknown, unknown>).value = seq;
  } else {
    const before = node.items.findIndex((item) => isScalar(item.key) && ['health', 'restart'].includes(String(item.key.value)));
    node.items.splice(before >= 0 ? before : node.items.length, 0, new Pair(new Scalar('ports'), seq));
  }
  return host;
}

// The app mounts the sidecar's volume and learns where it is (LOG_DIR, CONFIG_FILE).
function mountInApp(doc: Document, name: string, mount: NonNullable<Wiring['appMount']>): string[] {
  const app = doc.get('app', true);
  if (!isMap(app)) return [];
  const existing = app.get('volumes', true);
  let seq: YAMLSeq;
  if (isSeq(existing)) {
    seq = existing;
  } else {
    seq = new YAMLSeq();
    seq.flow = true;
    const before = app.items.findIndex((item) => isScalar(item.key) && ['health', 'restart'].includes(String(item.key.value)));
    app.items.splice(before >= 0 ? before : app.items.length, 0, new Pair(new Scalar('volumes'), seq));
  }
  const mounted = seq.items.some((item) => isScalar(item) && String(item.value).startsWith(`${mount.volume}:`));
  if (!mounted) {
    const spec = new Scalar(`${mount.volume}:${mount.target}`);
    spec.type = 'QUOTE_DOUBLE';
    seq.items.push(spec);
  }
  const env = envOf(app);
  const set: string[] = [];
  for (const [key, value] of Object.entries(mount.env)) {
    if (env.has(key)) continue;
    const scalar = new Scalar(value);
    scalar.type = 'QUOTE_DOUBLE';
    env.set(key, scalar);
    set.push(key);
  }
  return [`the app mounts volume "${mount.volume}" at ${mount.target}${set.length > 0 ? ` and gets ${set.join(', ')}` : ''}, which ${name} reads`];
}
