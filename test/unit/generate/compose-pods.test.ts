import {describe, expect, it} from 'vitest';
import {composeFile} from '../../../src/generate/compose.js';
import {SidecarError} from '../../../src/errors/index.js';
import type {Health} from '../../../src/manifest/types.js';
import {podsManifest, service} from '../../helpers/manifest-builder.js';

type Services = Record<string, Record<string, any>>;
const tcp = (port: number): Health => ({check: {kind: 'tcp', port}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000});
const port = (hostPort: number, containerPort: number) => ({hostIp: '127.0.0.1', hostPort, containerPort, protocol: 'tcp' as const});

// DESIGN "Several pods": payments, and orders after it reaching it through ${pods.payments.host}.
const shop = podsManifest({
  name: 'shop',
  dir: '/proj',
  volumes: ['shared'],
  pods: [
    {
      name: 'orders',
      after: ['payments'],
      app: service('app', 'app', {image: 'orders:1', ports: [port(8080, 8080)], env: {PAYMENTS_URL: 'http://127.0.0.1:15001'}, volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: true}]}),
      sidecars: [service('egress', 'sidecar', {image: 'proxy:1', env: {UPSTREAM: 'http://${pods.payments.host}:15000'}, command: ['proxy', '--to', '${pods.payments.host}']})],
    },
    {
      name: 'payments',
      init: [service('migrate', 'init', {image: 'm:1'})],
      app: service('app', 'app', {image: 'payments:1', health: tcp(8081), ports: [port(8081, 8081)], volumes: [{type: 'volume', source: 'shared', target: '/data', readOnly: false}]}),
      sidecars: [service('ingress', 'sidecar', {image: 'proxy:1'})],
    },
  ],
});

function services(): Services {
  return composeFile(shop).document.services as Services;
}

describe('compose: several pods (issue 10.5)', () => {
  it('gives each pod an infra service named after it (its DNS name) and POD-SERVICE services joined to it, pods in start order', () => {
    const s = services();
    expect(Object.keys(s)).toEqual(['payments', 'payments-migrate', 'payments-ingress', 'payments-app', 'orders', 'orders-egress', 'orders-app']);
    expect(s['payments-app']!.network_mode).toBe('service:payments');
    expect(s['orders-egress']!.network_mode).toBe('service:orders');
    expect(s.payments!.hostname).toBe('payments');
    expect(s.orders!.labels).toEqual({'sidecar.project': 'shop', 'sidecar.pod': 'orders', 'sidecar.service': 'orders', 'sidecar.role': 'infra'});
    expect(s['orders-app']!.labels).toEqual({'sidecar.project': 'shop', 'sidecar.pod': 'orders', 'sidecar.service': 'orders/app', 'sidecar.role': 'app'});
  });

  it('publishes each pod\'s ports on its own infra service', () => {
    const s = services();
    expect(s.payments!.ports).toEqual(['127.0.0.1:8081:8081']);
    expect(s.orders!.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('keeps the start order inside a pod under the compose names', () => {
    const s = services();
    expect(s['payments-migrate']!.depends_on).toEqual({payments: {condition: 'service_started'}});
    expect(s['payments-ingress']!.depends_on).toEqual({payments: {condition: 'service_started'}, 'payments-migrate': {condition: 'service_completed_successfully'}});
    expect(s['payments-app']!.depends_on).toEqual({payments: {condition: 'service_started'}, 'payments-ingress': {condition: 'service_started'}});
  });

  it('turns `after` into depends_on of the pod\'s infra service on every service of the pods it is after', () => {
    const s = services();
    expect(s.payments!.depends_on).toBeUndefined();
    expect(s.orders!.depends_on).toEqual({'payments-ingress': {condition: 'service_started'}, 'payments-app': {condition: 'service_healthy'}});
  });

  it('renders ${pods.X.host} as X, the infra service name other pods resolve', () => {
    const s = services();
    expect(s['orders-egress']!.environment).toEqual({UPSTREAM: 'http://payments:15000'});
    expect(s['orders-egress']!.command).toEqual(['proxy', '--to', 'payments']);
  });

  it('shares a volume mounted in two pods as one named volume', () => {
    const {document} = composeFile(shop);
    expect(document.volumes).toEqual({shared: {name: 'shop_shared', labels: {'sidecar.project': 'shop'}}});
    expect((document.services['orders-app'] as Record<string, any>).volumes).toEqual(['shared:/data:ro']);
    expect((document.services['payments-app'] as Record<string, any>).volumes).toEqual(['shared:/data']);
  });

  it('names each pod\'s app in the lifecycle loss and the losses by service id', () => {
    const {losses} = composeFile(shop);
    const lifecycle = losses.find((l) => l.feature === 'lifecycle')!.message;
    expect(lifecycle).toContain('orders-app');
    // One command a user can type: --exit-code-from takes one service.
    expect(lifecycle).not.toMatch(/--exit-code-from \S+ or --exit-code-from/);
    expect(lifecycle).toMatch(/`up --exit-code-from APP` ends the whole stack when that one app exits \(APP one of (orders-app, payments-app|payments-app, orders-app)\)$/);
    expect(losses.some((l) => l.service === 'payments/app' && l.feature === 'health.tcp')).toBe(true);
  });

  it('refuses two pods whose compose names collide, naming both', () => {
    const clash = podsManifest({
      pods: [
        {name: 'a', app: service('app', 'app', {image: 'x'}), sidecars: [service('b-app', 'sidecar', {image: 'x'})]},
        {name: 'a-b', app: service('app', 'app', {image: 'x'})},
      ],
    });
    expect(() => composeFile(clash)).toThrow(SidecarError);
    expect(() => composeFile(clash)).toThrow(/a\/b-app.*a-b\/app|a-b\/app.*a\/b-app/);
  });
});
