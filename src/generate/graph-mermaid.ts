import type {GraphEdge, GraphNode, Topology} from './graph-model.js';

// Labels go in double quotes; mermaid reads `#quot;` for a quote inside one.
function text(label: string): string {
  return `"${label.replace(/"/g, '#quot;')}"`;
}

// A shape per kind: init jobs as subroutines, sidecars rounded, the app a box,
// volumes cylinders, host dirs as folders (trapezoid), host ports as flags.
function shape(node: GraphNode): string {
  const label = text(node.label);
  switch (node.kind) {
    case 'init':
      return `${node.id}[[${label}]]`;
    case 'sidecar':
      return `${node.id}(${label})`;
    case 'app':
      return `${node.id}[${label}]`;
    case 'volume':
      return `${node.id}[(${label})]`;
    case 'bind':
      return `${node.id}[/${label}/]`;
    case 'port':
      return `${node.id}>${label}]`;
  }
}

const ARROW: Record<GraphEdge['kind'], string> = {order: '==>', after: '==>', mount: '-->', publish: '-->', discovery: '-.->'};

// One subgraph per pod; an edge that means a whole pod starts or ends at its subgraph.
export function renderMermaid(graph: Topology): string {
  const lines = ['flowchart LR'];
  for (const cluster of graph.clusters) {
    lines.push(`  subgraph ${cluster.id}[${text(cluster.label)}]`);
    for (const node of graph.nodes.filter((n) => n.cluster === cluster.id)) lines.push(`    ${shape(node)}`);
    lines.push('  end');
  }
  for (const node of graph.nodes.filter((n) => n.cluster === undefined)) lines.push(`  ${shape(node)}`);
  for (const edge of graph.edges) {
    const arrow = edge.dashed ? '-.->' : ARROW[edge.kind];
    lines.push(`  ${edge.fromCluster ?? edge.from} ${arrow}|${text(edge.label)}| ${edge.toCluster ?? edge.to}`);
  }
  return lines.join('\n') + '\n';
}
