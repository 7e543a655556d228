import {describe, expect, it} from 'vitest';
import {renderDot} from '../../../src/generate/graph-dot.js';
import {topology} from '../../../src/generate/graph-model.js';
import {renderMermaid} from '../../../src/generate/graph-mermaid.js';
import {podsManifest, service} from '../../helpers/manifest-builder.js';

// orders after payments; orders' egress reaches payments by name.
const shop = podsManifest({
  name: 'shop',
  dir: '/proj',
  volumes: ['shared'],
  pods: [
    {
      name: 'orders',
      after: ['payments'],
      app: service('app', 'app', {image: 'o', volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: true}]}),
      sidecars: [service('egress', 'sidecar', {image: 'p', env: {UPSTREAM: 'http://${pods.payments.host}:15000'}})],
    },
    {name: 'payments', app: service('app', 'app', {image: 'a', volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: false}]}), sidecars: [service('ingress', 'sidecar', {image: 'p'})]},
  ],
});

describe('graph: several pods (issue 10.5)', () => {
  it('puts each pod in its own cluster, in start order', () => {
    const graph = topology(shop);
    expect(graph.clusters).toEqual([
      {id: 'p0', label: 'pod: payments'},
      {id: 'p1', label: 'pod: orders'},
    ]);
    expect(graph.nodes.map((n) => `${n.id} ${n.cluster ?? '-'} ${n.label}`)).toEqual([
      'n0 p0 sidecar: ingress',
      'n1 p0 app: app',
      'n2 p1 sidecar: egress',
      'n3 p1 app: app',
      'n4 - volume: shared',
    ]);
  });

  it('draws `after` from pod to pod and a discovery edge from the service that names a pod to that pod', () => {
    const edges = topology(shop).edges.filter((e) => e.kind === 'after' || e.kind === 'discovery');
    expect(edges.map((e) => `${e.fromCluster ?? e.from}->${e.toCluster ?? e.to} ${e.kind} ${e.label}`)).toEqual(['p0->p1 after ready, then', 'n2->p0 discovery reaches by name']);
  });

  it('renders mermaid with subgraphs as edge ends, and dot with compound cluster edges', () => {
    const mermaid = renderMermaid(topology(shop));
    expect(mermaid).toContain('  subgraph p0["pod: payments"]');
    expect(mermaid).toContain('  p0 ==>|"ready, then"| p1');
    expect(mermaid).toContain('  n2 -.->|"reaches by name"| p0');
    const dot = renderDot(topology(shop));
    expect(dot).toContain('  compound=true;');
    expect(dot).toContain('  subgraph cluster_p1 {');
    expect(dot).toContain('  n1 -> n2 [label="ready, then", style=bold, ltail=cluster_p0, lhead=cluster_p1];');
    expect(dot).toContain('  n2 -> n0 [label="reaches by name", style=dotted, lhead=cluster_p0];');
  });
});
