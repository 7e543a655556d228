import type {GraphNode, Topology} from './graph-model.js';

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

// Graphviz: the pod as a cluster, start order as bold edges, read-only mounts dashed.
export function renderDot(graph: Topology): string {
  const node = (n: GraphNode): string => `${n.id} [label=${quote(n.label)}, shape=${SHAPE[n.kind]}];`;
  const lines = [`digraph ${quote(graph.name)} {`, '  rankdir=LR;', '  subgraph cluster_pod {', `    label=${quote(`pod: ${graph.name}`)};`];
  for (const n of graph.nodes.filter((x) => x.inPod)) lines.push(`    ${node(n)}`);
  lines.push('  }');
  for (const n of graph.nodes.filter((x) => !x.inPod)) lines.push(`  ${node(n)}`);
  for (const edge of graph.edges) {
    const style = edge.dashed ? ', style=dashed' : edge.kind === 'order' ? ', style=bold' : '';
    lines.push(`  ${edge.from} -> ${edge.to} [label=${quote(edge.label)}${style}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
