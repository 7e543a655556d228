import {describe, expect, it} from 'vitest';
import {k8sDocuments, type K8sOptions, type K8sWorkload} from '../../../src/generate/k8s.js';
import {goDuration, wholeSeconds} from '../../../src/generate/durations.js';
import type {Health} from '../../../src/manifest/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

// A single-form manifest is one workload object.
function k8sDocument(m: Parameters<typeof k8sDocuments>[0], options?: K8sOptions): {document: K8sWorkload; losses: ReturnType<typeof k8sDocuments>['losses']} {
  const {documents, losses} = k8sDocuments(m, options);
  expect(documents).toHaveLength(1);
  return {document: documents[0] as K8sWorkload, losses};
}

const health = (check: Health['check'], extra: Partial<Health> = {}): Health => ({check, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000, ...extra});
const podSpec = (doc: ReturnType<typeof k8sDocument>['document']): any => (doc.kind === 'Pod' ? doc.spec : doc.spec.template.spec);

function stack(overrides: {startup?: 'ordered' | 'parallel'} = {}) {
  return manifest({
    ...overrides,
    init: [service('migrate', 'init', {image: 'm', command: ['migrate']})],
    sidecars: [
      service('proxy', 'sidecar', {image: 'p', health: health({kind: 'http', port: 9901, path: '/ready', scheme: 'http', headers: {'X-A': 'b'}}), stopTimeoutMs: 5000}),
      service('shipper', 'sidecar', {image: 's', health: health({kind: 'log', pattern: 'up'}), stopTimeoutMs: 3000}),
    ],
    app: service('app', 'app', {image: 'a', health: health({kind: 'tcp', port: 8080}, {intervalMs: 2500, startPeriodMs: 2000, startTimeoutMs: 30_000}), stopTimeoutMs: 10_000}),
  });
}

describe('k8s: native sidecars (KEP-753)', () => {
  it('init jobs first, then sidecars as init containers with restartPolicy Always, then the app', () => {
    const spec = podSpec(k8sDocument(stack()).document);
    expect(spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['migrate', undefined], ['proxy', 'Always'], ['shipper', 'Always']]);
    expect(spec.containers.map((c: any) => c.name)).toEqual(['app']);
    expect(spec.initContainers[0].args).toEqual(['migrate']);
    expect(spec.initContainers[0].startupProbe).toBeUndefined();
  });

  it('maps probes one to one, with a startupProbe that honours startTimeout', () => {
    const spec = podSpec(k8sDocument(stack()).document);
    const proxy = spec.initContainers[1];
    expect(proxy.startupProbe).toEqual({httpGet: {path: '/ready', port: 9901, scheme: 'HTTP', httpHeaders: [{name: 'X-A', value: 'b'}]}, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 60});
    expect(proxy.livenessProbe).toEqual({httpGet: proxy.startupProbe.httpGet, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3});
    const app = spec.containers[0];
    expect(app.startupProbe).toEqual({tcpSocket: {port: 8080}, initialDelaySeconds: 2, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 28});
    expect(app.readinessProbe).toEqual({tcpSocket: {port: 8080}, periodSeconds: 3, timeoutSeconds: 1, failureThreshold: 3});
  });

  it('reports what does not survive: the log probe and sub-second rounding', () => {
    const {losses} = k8sDocument(stack());
    expect(losses).toContainEqual(expect.objectContaining({service: 'shipper', feature: 'health.log'}));
    expect(losses).toContainEqual(expect.objectContaining({service: 'app', feature: 'health.interval', message: expect.stringContaining('2s500ms became 3s')}));
    expect(podSpec(k8sDocument(stack()).document).initContainers[2].startupProbe).toBeUndefined();
  });

  it('grace period: the stop timeouts of app and sidecars in sequence (init jobs do not run at stop)', () => {
    expect(podSpec(k8sDocument(stack()).document).terminationGracePeriodSeconds).toBe(18);
  });
});

describe('k8s: --no-native-sidecars', () => {
  it('sidecars become plain containers before the app, the lost ordering is reported, grace is the longest timeout', () => {
    const {document, losses} = k8sDocument(stack(), {nativeSidecars: false});
    const spec = podSpec(document);
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['migrate']);
    expect(spec.containers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['proxy', undefined], ['shipper', undefined], ['app', undefined]]);
    expect(spec.terminationGracePeriodSeconds).toBe(10);
    expect(losses.map((l) => l.feature)).toEqual(expect.arrayContaining(['startup', 'stop']));
  });
});

describe('k8s: kinds and restart policies', () => {
  it('pod restartPolicy is the app\'s policy', () => {
    expect(podSpec(k8sDocument(stack()).document).restartPolicy).toBe('OnFailure');
  });

  it('a Deployment always restarts, and says so when the app would not', () => {
    const m = stack();
    m.pods[0]!.app.restart = 'never';
    const {document, losses} = k8sDocument(m, {kind: 'deployment'});
    expect(document).toMatchObject({apiVersion: 'apps/v1', kind: 'Deployment', spec: {replicas: 1, selector: {matchLabels: {'app.kubernetes.io/name': 'test'}}}});
    expect(podSpec(document).restartPolicy).toBe('Always');
    expect(losses).toContainEqual(expect.objectContaining({service: 'app', feature: 'restart'}));
  });

  it('a Job: restart never -> Never with backoffLimit 0; always -> OnFailure with a loss', () => {
    const m = stack();
    m.pods[0]!.app.restart = 'never';
    const job = k8sDocument(m, {kind: 'job'}).document;
    expect(job).toMatchObject({apiVersion: 'batch/v1', kind: 'Job', spec: {backoffLimit: 0}});
    expect(podSpec(job).restartPolicy).toBe('Never');
    m.pods[0]!.app.restart = 'always';
    const always = k8sDocument(m, {kind: 'job'});
    expect(podSpec(always.document).restartPolicy).toBe('OnFailure');
    expect(always.losses).toContainEqual(expect.objectContaining({feature: 'restart'}));
  });
});

describe('k8s: volumes, ports, images', () => {
  it('named volumes are emptyDir, binds are hostPath with a note, ports are containerPorts with a note', () => {
    const m = manifest({
      dir: '/proj',
      app: service('app', 'app', {
        build: {context: '/proj/app', dockerfile: 'Dockerfile', args: {}},
        ports: [{hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'tcp'}],
        volumes: [
          {type: 'volume', source: 'logs', target: '/var/log/app', readOnly: false},
          {type: 'bind', source: './conf', hostPath: '/proj/conf', target: '/etc/app', readOnly: true},
        ],
        env: {LOG_DIR: '${volumes.logs}'},
      }),
      volumes: ['logs'],
    });
    const {document, losses} = k8sDocument(m);
    const spec = podSpec(document);
    expect(spec.volumes[0]).toEqual({name: 'logs', emptyDir: {}});
    expect(spec.volumes[1]).toMatchObject({name: expect.stringMatching(/^host-conf-[0-9a-f]{8}$/), hostPath: {path: '/proj/conf'}});
    const app = spec.containers[0];
    expect(app.image).toBe('test-app:latest');
    expect(app.imagePullPolicy).toBe('IfNotPresent');
    expect(app.env).toEqual([{name: 'LOG_DIR', value: '/var/log/app'}]);
    expect(app.ports).toEqual([{containerPort: 8080, protocol: 'TCP'}]);
    expect(app.volumeMounts).toEqual([{name: 'logs', mountPath: '/var/log/app'}, {name: spec.volumes[1].name, mountPath: '/etc/app', readOnly: true}]);
    expect(losses.map((l) => l.feature)).toEqual(expect.arrayContaining(['volumes', 'ports', 'build']));
  });
});

describe('durations', () => {
  it('Go duration strings and whole seconds', () => {
    expect([0, 250, 1000, 2500, 90_000, 3_723_000].map(goDuration)).toEqual(['0s', '250ms', '1s', '2s500ms', '1m30s', '1h2m3s']);
    expect([wholeSeconds(250), wholeSeconds(1000), wholeSeconds(1001), wholeSeconds(0, 0)]).toEqual([1, 1, 2, 0]);
  });
});

describe('k8s: names', () => {
  it('turns volume names with _ or . into DNS-1123 labels, distinct and stable', () => {
    const m = manifest({
      app: service('app', 'app', {image: 'a', volumes: [{type: 'volume', source: 'my_data', target: '/a', readOnly: false}, {type: 'volume', source: 'my.data', target: '/b', readOnly: false}, {type: 'volume', source: 'plain', target: '/c', readOnly: false}]}),
      volumes: ['my_data', 'my.data', 'plain'],
    });
    const spec = podSpec(k8sDocument(m).document);
    const names = spec.volumes.map((v: any) => v.name);
    expect(names[2]).toBe('plain');
    for (const name of names) expect(name).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
    expect(new Set(names).size).toBe(3);
    expect(spec.containers[0].volumeMounts.map((v: any) => v.name)).toEqual(names);
    expect(podSpec(k8sDocument(m).document).volumes).toEqual(spec.volumes);
  });
});
