import {describe, expect, it} from 'vitest';
import {k8sDocuments} from '../../../src/generate/k8s.js';
import {generate} from '../../../src/generate/generate.js';
import {SidecarError} from '../../../src/errors/index.js';
import type {Health} from '../../../src/manifest/types.js';
import {podsManifest, service} from '../../helpers/manifest-builder.js';

const tcp = (port: number): Health => ({check: {kind: 'tcp', port}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000});

// DESIGN "Several pods": payments (ports), orders after it, reaching it as ${pods.payments.host}; audit has no port.
const shop = podsManifest({
  name: 'shop',
  dir: '/proj',
  volumes: ['shared', 'own'],
  pods: [
    {
      name: 'orders',
      after: ['payments'],
      app: service('app', 'app', {image: 'orders:1', ports: [{hostIp: '127.0.0.1', hostPort: 8080, containerPort: 8080, protocol: 'tcp'}], volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: true}]}),
      sidecars: [service('egress', 'sidecar', {image: 'proxy:1', env: {UPSTREAM: 'http://${pods.payments.host}:15000', AUDIT: '${pods.audit.host}'}})],
    },
    {
      name: 'payments',
      app: service('app', 'app', {image: 'payments:1', health: tcp(8081), volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: false}]}),
      sidecars: [service('ingress', 'sidecar', {image: 'proxy:1', ports: [{hostIp: '127.0.0.1', hostPort: 15000, containerPort: 15000, protocol: 'tcp'}, {hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp'}], health: tcp(15000)})],
    },
    {name: 'audit', app: service('app', 'app', {image: 'audit:1', volumes: [{type: 'volume', source: 'own', target: '/own', readOnly: false}]})},
  ],
});

type Loose = Record<string, any>;
const spec = (doc: Loose): Loose => (doc.kind === 'Pod' ? doc.spec : doc.spec.template.spec);

describe('k8s: several pods (issue 10.5)', () => {
  it('emits per pod one object of --kind, plus a Service named after each pod with container or probe ports', () => {
    for (const [kind, Kind] of [['pod', 'Pod'], ['deployment', 'Deployment'], ['job', 'Job']] as const) {
      const {documents} = k8sDocuments(shop, {kind});
      expect(documents.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual(['Service payments', `${Kind} payments`, 'Service orders', `${Kind} orders`, `${Kind} audit`]);
    }
  });

  it('selects each pod by its own labels and exposes its container and probe ports', () => {
    const documents = k8sDocuments(shop, {kind: 'deployment'}).documents as Loose[];
    const payments = documents.find((d) => d.kind === 'Service' && d.metadata.name === 'payments')!;
    const deployment = documents.find((d) => d.kind === 'Deployment' && d.metadata.name === 'payments')!;
    expect(payments.spec.selector).toEqual({'app.kubernetes.io/name': 'payments', 'app.kubernetes.io/part-of': 'shop'});
    expect(deployment.spec.selector.matchLabels).toEqual(payments.spec.selector);
    expect(deployment.spec.template.metadata.labels).toMatchObject(payments.spec.selector);
    expect(payments.spec.ports).toEqual([
      {name: 'tcp-15000', protocol: 'TCP', port: 15000, targetPort: 15000},
      {name: 'udp-53', protocol: 'UDP', port: 53, targetPort: 53},
      {name: 'tcp-8081', protocol: 'TCP', port: 8081, targetPort: 8081},
    ]);
    const orders = documents.find((d) => d.kind === 'Service' && d.metadata.name === 'orders')!;
    expect(orders.spec.ports).toEqual([{name: 'tcp-8080', protocol: 'TCP', port: 8080, targetPort: 8080}]);
  });

  it('renders ${pods.X.host} as the Service name X', () => {
    const orders = k8sDocuments(shop).documents.find((d) => d.kind === 'Pod' && d.metadata.name === 'orders') as Loose;
    const egress = [...(spec(orders).initContainers ?? []), ...spec(orders).containers].find((c: Loose) => c.name === 'egress');
    expect(egress.env).toEqual([{name: 'UPSTREAM', value: 'http://payments:15000'}, {name: 'AUDIT', value: 'audit'}]);
  });

  it('gives each pod only the volumes its services mount', () => {
    const documents = k8sDocuments(shop).documents as Loose[];
    const volumes = (name: string) => spec(documents.find((d) => d.kind === 'Pod' && d.metadata.name === name)!).volumes;
    expect(volumes('orders')).toEqual([{name: 'shared', emptyDir: {}}]);
    expect(volumes('audit')).toEqual([{name: 'own', emptyDir: {}}]);
  });

  it('reports what Kubernetes loses: a shared emptyDir, `after`, and a pod reached by name that has no Service', () => {
    const {losses} = k8sDocuments(shop);
    const feature = (name: string) => losses.filter((l) => l.feature === name).map((l) => l.message);
    expect(feature('volumes.shared').join('\n')).toMatch(/orders.*payments|payments.*orders/);
    expect(feature('volumes.shared').join('\n')).toContain('cannot share an emptyDir');
    expect(feature('volumes.own')).toEqual([]);
    expect(feature('pods.orders.after').join('\n')).toContain('payments');
    expect(feature('pods.audit.host').join('\n')).toContain('no Service');
    expect(feature('pods.payments.host')).toEqual([]);
  });

  it('writes the objects as YAML documents separated by ---', () => {
    const {yaml} = generate(shop, 'k8s', {kind: 'pod'});
    expect(yaml.split(/^---$/m)).toHaveLength(5);
    expect(yaml.startsWith('apiVersion: v1\nkind: Service\n')).toBe(true);
  });
});

describe('k8s: a Service name is a DNS-1035 label', () => {
  it('refuses a pod with ports whose name starts with a digit (valid for Docker, not for a Service), with a fix', () => {
    const m = podsManifest({pods: [{name: '2fa', app: service('app', 'app', {image: 'x', ports: [{hostIp: '127.0.0.1', hostPort: 80, containerPort: 80, protocol: 'tcp'}]})}]});
    expect(() => k8sDocuments(m)).toThrow(SidecarError);
    expect(() => k8sDocuments(m)).toThrow(/2fa.*Service/);
  });

  it('accepts it where the pod gets no Service', () => {
    const m = podsManifest({pods: [{name: '2fa', app: service('app', 'app', {image: 'x'})}]});
    expect(k8sDocuments(m).documents.map((d) => d.metadata.name)).toEqual(['2fa']);
  });
});
