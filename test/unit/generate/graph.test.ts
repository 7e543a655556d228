import {describe, expect, it} from 'vitest';
import {renderDot} from '../../../src/generate/graph-dot.js';
import {topology} from '../../../src/generate/graph-model.js';
import {renderMermaid} from '../../../src/generate/graph-mermaid.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

const m = manifest({
  name: 'orders',
  dir: '/proj',
  init: [service('migrate', 'init', {image: 'm'})],
  sidecars: [service('proxy', 'sidecar', {image: 'p', ports: [{hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp'}]}), service('log-shipper', 'sidecar', {image: 'f', volumes: [{type: 'volume', source: 'logs', target: '/logs', readOnly: true}]})],
  app: service('app', 'app', {image: 'a', volumes: [{type: 'volume', source: 'logs', target: '/var/log/app', readOnly: false}, {type: 'bind', source: './conf', hostPath: '/proj/conf', target: '/etc/app', readOnly: true}]}),
  volumes: ['logs'],
});

describe('graph', () => {
  it('has the services in start order, volumes, host dirs and ports, with order, mount and publish edges', () => {
    const graph = topology(m);
    expect(graph.nodes.map((n) => `${n.id} ${n.kind} ${n.label}`)).toEqual([
      'n0 init init: migrate',
      'n1 sidecar sidecar: proxy',
      'n2 sidecar sidecar: log-shipper',
      'n3 app app: app',
      'n4 volume volume: logs',
      'n5 port 127.0.0.1:8080',
      'n6 bind host dir: ./conf',
    ]);
    expect(graph.edges.map((e) => `${e.from}->${e.to} ${e.kind} ${e.label}${e.dashed ? ' dashed' : ''}`)).toEqual([
      'n0->n1 order exits 0, then',
      'n1->n2 order started, then',
      'n2->n3 order started, then',
      'n5->n1 publish :80',
      'n2->n4 mount ro /logs dashed',
      'n3->n4 mount rw /var/log/app',
      'n3->n6 mount ro /etc/app dashed',
    ]);
  });

  it('renders mermaid and dot deterministically', () => {
    const mermaid = renderMermaid(topology(m));
    expect(mermaid).toBe(renderMermaid(topology(m)));
    expect(mermaid.split('\n').slice(0, 3)).toEqual(['flowchart LR', '  subgraph pod["pod: orders"]', '    n0[["init: migrate"]]']);
    expect(mermaid).toContain('  n2 -.->|"ro /logs"| n4');
    expect(mermaid).toContain('  n0 ==>|"exits 0, then"| n1');
    const dot = renderDot(topology(m));
    expect(dot).toBe(renderDot(topology(m)));
    expect(dot).toContain('digraph "orders" {');
    expect(dot).toContain('  n2 -> n4 [label="ro /logs", style=dashed];');
    expect(dot.trimEnd().endsWith('}')).toBe(true);
  });
});
