import {sidecarStartOrder} from '../manifest/graph.js';
import {podsInStartOrder, type Manifest, type Pod, type Service} from '../manifest/types.js';
import {relativeTo} from './paths.js';
import {podRefsOf} from './service-pod-refs.js';
import {startDependencies, type WaitCondition} from './start-deps.js';

export type NodeKind = 'app' | 'sidecar' | 'init' | 'volume' | 'bind' | 'port';
export interface GraphCluster {
  id: string;
  label: string;
}
export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  // The pod box a service sits in; volumes, host paths and host ports have none.
  cluster?: string;
}
// order: start order inside a pod; after: pod after pod; discovery: a service
// that reaches a pod by name (`${pods.X.host}`).
export type EdgeKind = 'order' | 'mount' | 'publish' | 'after' | 'discovery';
export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label: string;
  // Dashed: a read-only mount.
  dashed: boolean;
  // The edge means a whole pod at that end (from/to are then nodes inside it, for dot).
  fromCluster?: string;
  toCluster?: string;
}
export interface Topology {
  name: string;
  clusters: GraphCluster[];
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const WAIT_LABEL: Record<WaitCondition, string> = {completed: 'exits 0, then', ready: 'ready, then', started: 'started, then'};

function podOrder(pod: Pod): Service[] {
  return [...pod.init, ...sidecarStartOrder(pod), pod.app];
}

// The stack as nodes and edges, in a fixed order (pods in start order, each
// pod's services in start order, then volumes, then ports), with ids by
// position so any name is safe in mermaid and dot. The single form is one
// cluster `pod` named after the project, as before pods existed.
export function topology(manifest: Manifest): Topology {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const ids = new Map<string, string>();
  const node = (key: string, kind: NodeKind, label: string, cluster?: string): string => {
    const existing = ids.get(key);
    if (existing) return existing;
    const id = `n${nodes.length}`;
    ids.set(key, id);
    nodes.push({id, kind, label, ...(cluster === undefined ? {} : {cluster})});
    return id;
  };

  const pods = podsInStartOrder(manifest);
  const clusterOf = new Map(pods.map((pod, index) => [pod.name, manifest.form === 'single' ? 'pod' : `p${index}`]));
  const clusters = pods.map((pod) => ({id: clusterOf.get(pod.name)!, label: `pod: ${manifest.form === 'single' ? manifest.name : pod.name}`}));
  const serviceId = (service: Service): string => ids.get(`service:${service.id}`)!;
  for (const pod of pods) {
    for (const service of podOrder(pod)) node(`service:${service.id}`, service.role, `${service.role}: ${service.name}`, clusterOf.get(pod.name));
  }
  for (const volume of Object.values(manifest.volumes)) node(`volume:${volume.name}`, 'volume', `volume: ${volume.name}${volume.external ? ' (external)' : ''}`);

  for (const pod of pods) {
    const deps = startDependencies(pod, (s) => s.health !== undefined);
    const byName = new Map(podOrder(pod).map((s) => [s.name, s]));
    for (const service of podOrder(pod)) {
      for (const dep of deps.get(service.name) ?? []) {
        edges.push({from: serviceId(byName.get(dep.on)!), to: serviceId(service), kind: 'order', label: WAIT_LABEL[dep.condition], dashed: false});
      }
    }
  }
  const byPod = new Map(pods.map((pod) => [pod.name, pod]));
  for (const pod of pods) {
    for (const name of pod.after) {
      const before = byPod.get(name);
      if (!before) continue;
      edges.push({from: serviceId(before.app), to: serviceId(podOrder(pod)[0]!), kind: 'after', label: 'ready, then', dashed: false, fromCluster: clusterOf.get(name)!, toCluster: clusterOf.get(pod.name)!});
    }
  }
  for (const pod of pods) {
    for (const service of podOrder(pod)) {
      for (const name of podRefsOf(service, true)) {
        const target = byPod.get(name);
        if (!target) continue;
        edges.push({from: serviceId(service), to: serviceId(podOrder(target)[0]!), kind: 'discovery', label: 'reaches by name', dashed: false, toCluster: clusterOf.get(name)!});
      }
    }
  }

  for (const service of pods.flatMap(podOrder)) {
    const from = serviceId(service);
    for (const mount of service.volumes) {
      const to = mount.type === 'volume' ? ids.get(`volume:${mount.source}`)! : node(`bind:${mount.hostPath}`, 'bind', `host dir: ${relativeTo(manifest.dir, mount.hostPath)}`);
      edges.push({from, to, kind: 'mount', label: `${mount.readOnly ? 'ro' : 'rw'} ${mount.target}`, dashed: mount.readOnly});
    }
    for (const port of service.ports) {
      const host = port.hostIp.includes(':') ? `[${port.hostIp}]` : port.hostIp;
      const id = node(`port:${host}:${port.hostPort}/${port.protocol}`, 'port', `${host}:${port.hostPort}${port.protocol === 'udp' ? '/udp' : ''}`);
      edges.push({from: id, to: from, kind: 'publish', label: `:${port.containerPort}`, dashed: false});
    }
  }
  return {name: manifest.name, clusters, nodes, edges};
}
