import {sidecarStartOrder} from '../manifest/graph.js';
import {allServices, onlyPod, type Manifest} from '../manifest/types.js';
import {relativeTo} from './paths.js';
import {startDependencies, type WaitCondition} from './start-deps.js';

export type NodeKind = 'app' | 'sidecar' | 'init' | 'volume' | 'bind' | 'port';
export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  // Services sit inside the pod box; volumes, host paths and host ports outside it.
  inPod: boolean;
}
export type EdgeKind = 'order' | 'mount' | 'publish';
export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label: string;
  // Dashed: a read-only mount.
  dashed: boolean;
}
export interface Topology {
  name: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const WAIT_LABEL: Record<WaitCondition, string> = {completed: 'exits 0, then', ready: 'ready, then', started: 'started, then'};

// The pod as nodes and edges, in a fixed order (start order, then volumes,
// then ports), with ids by position so any name is safe in mermaid and dot.
export function topology(manifest: Manifest): Topology {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const ids = new Map<string, string>();
  const node = (key: string, kind: NodeKind, label: string, inPod: boolean): string => {
    const existing = ids.get(key);
    if (existing) return existing;
    const id = `n${nodes.length}`;
    ids.set(key, id);
    nodes.push({id, kind, label, inPod});
    return id;
  };

  const ordered = [...onlyPod(manifest).init, ...sidecarStartOrder(onlyPod(manifest)), onlyPod(manifest).app];
  for (const service of ordered) node(`service:${service.name}`, service.role, `${service.role === 'init' ? 'init' : service.role}: ${service.name}`, true);
  for (const volume of Object.values(manifest.volumes)) node(`volume:${volume.name}`, 'volume', `volume: ${volume.name}${volume.external ? ' (external)' : ''}`, false);

  const deps = startDependencies(onlyPod(manifest), (s) => s.health !== undefined);
  for (const service of ordered) {
    for (const dep of deps.get(service.name) ?? []) {
      edges.push({from: ids.get(`service:${dep.on}`)!, to: ids.get(`service:${service.name}`)!, kind: 'order', label: WAIT_LABEL[dep.condition], dashed: false});
    }
  }
  for (const service of allServices(manifest)) {
    const from = ids.get(`service:${service.name}`)!;
    for (const mount of service.volumes) {
      const to = mount.type === 'volume' ? ids.get(`volume:${mount.source}`)! : node(`bind:${mount.hostPath}`, 'bind', `host dir: ${relativeTo(manifest.dir, mount.hostPath)}`, false);
      edges.push({from, to, kind: 'mount', label: `${mount.readOnly ? 'ro' : 'rw'} ${mount.target}`, dashed: mount.readOnly});
    }
    for (const port of service.ports) {
      const host = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
      const id = node(`port:${host}:${port.hostPort}/${port.protocol}`, 'port', `${host}:${port.hostPort}${port.protocol === 'udp' ? '/udp' : ''}`, false);
      edges.push({from: id, to: from, kind: 'publish', label: `:${port.containerPort}`, dashed: false});
    }
  }
  return {name: manifest.name, nodes, edges};
}
