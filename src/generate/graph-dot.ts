import type {GraphEdge, GraphNode, Topology} from './graph-model.js';

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const SHAPE: Record<GraphNode['kind'], string> = {
  init: 'component',
  sidecar: 'box, style=rounded',
  app: 'box, style=bold',
  volume: 'cylinder',
  bind: 'folder',
  port: 'cds',
};

const STYLE: Record<GraphEdge['kind'], string> = {order: ', style=bold', after: ', style=bold', mount: '', publish: '', discovery: ', style=dotted'};

// Graphviz: each pod as a cluster, start order as bold edges, read-only mounts
// dashed. Edges between pods end at the cluster's border (compound, ltail/lhead).
export function renderDot(graph: Topology): string {
  const node = (n: GraphNode): string => `${n.id} [label=${quote(n.label)}, shape=${SHAPE[n.kind]}];`;
  const compound = graph.edges.some((e) => e.fromCluster !== undefined || e.toCluster !== undefined);
  const lines = [`digraph ${quote(graph.name)} {`, '  rankdir=LR;', ...(compound ? ['  compound=true;'] : [])];
  for (const cluster of graph.clusters) {
    lines.push(`  subgraph cluster_${cluster.id} {`, `    label=${quote(cluster.label)};`);
    for (const n of graph.nodes.filter((x) => x.cluster === cluster.id)) lines.push(`    ${node(n)}`);
    lines.push('  }');
  }
  for (const n of graph.nodes.filter((x) => x.cluster === undefined)) lines.push(`  ${node(n)}`);
  const clusterOf = new Map(graph.nodes.map((n) => [n.id, n.cluster]));
  for (const edge of graph.edges) {
    const style = edge.dashed ? ', style=dashed' : STYLE[edge.kind];
    // dot ignores (and warns about) a cluster end that holds the edge's other end.
    const tail = edge.fromCluster !== undefined && edge.fromCluster !== clusterOf.get(edge.to) ? `, ltail=cluster_${edge.fromCluster}` : '';
    const head = edge.toCluster !== undefined && edge.toCluster !== clusterOf.get(edge.from) ? `, lhead=cluster_${edge.toCluster}` : '';
    lines.push(`  ${edge.from} -> ${edge.to} [label=${quote(edge.label)}${style}${tail}${head}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
