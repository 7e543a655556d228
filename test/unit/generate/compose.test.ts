import {parse} from 'yaml';
import {describe, expect, it} from 'vitest';
import {composeFile} from '../../../src/generate/compose.js';
import {generate} from '../../../src/generate/generate.js';
import type {Health} from '../../../src/manifest/types.js';
import {SidecarError} from '../../../src/errors/index.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

type Services = Record<string, Record<string, any>>;
const tcp = (port: number): Health => ({check: {kind: 'tcp', port}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 60_000});
const log = (pattern: string): Health => ({...tcp(1), check: {kind: 'log', pattern}});

function services(m: Parameters<typeof composeFile>[0]): Services {
  return composeFile(m).document.services as Services;
}

describe('compose: the pod', () => {
  it('puts the network and every published port on an infra service that everyone joins', () => {
    const m = manifest({
      app: service('app', 'app', {image: 'app:1', ports: [{hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp'}]}),
      sidecars: [service('proxy', 'sidecar', {image: 'proxy:1', ports: [{hostIp: '::1', hostPort: 53, containerPort: 53, protocol: 'udp'}]})],
    });
    const s = services(m);
    expect(Object.keys(s)).toEqual(['pod', 'proxy', 'app']);
    // In start order: the sidecar's port first.
    expect(s.pod!.ports).toEqual(['[::1]:53:53/udp', '127.0.0.1:8080:80']);
    expect(s.app!.network_mode).toBe('service:pod');
    expect(s.proxy!.network_mode).toBe('service:pod');
    expect(s.app!.ports).toBeUndefined();
    expect(s.app!.labels).toEqual({'sidecar.project': 'test', 'sidecar.service': 'app', 'sidecar.role': 'app'});
  });

  it('names the infra service so it cannot clash with a service', () => {
    const m = manifest({app: service('app', 'app', {image: 'a'}), sidecars: [service('pod', 'sidecar', {image: 'p'})]});
    expect(Object.keys(services(m))).toEqual(['pod-2', 'pod', 'app']);
    expect(services(m).pod!.network_mode).toBe('service:pod-2');
  });

  it('uses SIDECAR_INFRA_IMAGE when given and the pause image otherwise', () => {
    const m = manifest({app: service('app', 'app', {image: 'a'})});
    expect(services(m).pod!.image).toBe('registry.k8s.io/pause:3.9');
    expect((composeFile(m, {infraImage: 'local/pause:1'}).document.services.pod as {image: string}).image).toBe('local/pause:1');
  });
});

describe('compose: start order as depends_on conditions', () => {
  it('init jobs complete in order, sidecars wait for the previous one to be healthy or started, then the app', () => {
    const m = manifest({
      init: [service('migrate', 'init', {image: 'm'}), service('seed', 'init', {image: 's'})],
      sidecars: [service('proxy', 'sidecar', {image: 'p', health: tcp(9901)}), service('shipper', 'sidecar', {image: 'f'}), service('warm', 'sidecar', {image: 'w', health: log('ready')})],
      app: service('app', 'app', {image: 'a'}),
    });
    const s = services(m);
    const deps = (name: string) => s[name]!.depends_on;
    expect(deps('migrate')).toEqual({pod: {condition: 'service_started'}});
    expect(deps('seed')).toEqual({pod: {condition: 'service_started'}, migrate: {condition: 'service_completed_successfully'}});
    expect(deps('proxy')).toEqual({pod: {condition: 'service_started'}, seed: {condition: 'service_completed_successfully'}});
    expect(deps('shipper')).toEqual({pod: {condition: 'service_started'}, proxy: {condition: 'service_healthy'}});
    expect(deps('warm')).toEqual({pod: {condition: 'service_started'}, shipper: {condition: 'service_started'}});
    // A log probe cannot be expressed: the app only waits for `warm` to start.
    expect(deps('app')).toEqual({pod: {condition: 'service_started'}, warm: {condition: 'service_started'}});
    expect(s.migrate!.restart).toBe('no');
  });

  it('startup: parallel starts sidecars together after the init jobs; `after` still orders; the app waits for all', () => {
    const m = manifest({
      startup: 'parallel',
      init: [service('migrate', 'init', {image: 'm'})],
      sidecars: [service('a', 'sidecar', {image: 'a', health: tcp(1)}), service('b', 'sidecar', {image: 'b', after: ['a']}), service('c', 'sidecar', {image: 'c'})],
      app: service('app', 'app', {image: 'x'}),
    });
    const s = services(m);
    expect(s.a!.depends_on).toEqual({pod: {condition: 'service_started'}, migrate: {condition: 'service_completed_successfully'}});
    expect(s.b!.depends_on).toEqual({pod: {condition: 'service_started'}, a: {condition: 'service_healthy'}});
    expect(s.c!.depends_on).toEqual({pod: {condition: 'service_started'}, migrate: {condition: 'service_completed_successfully'}});
    expect(Object.keys(s.app!.depends_on)).toEqual(['pod', 'a', 'b', 'c']);
  });
});

describe('compose: services', () => {
  it('maps health, restart, stop and env, and keeps literal $ literal', () => {
    const m = manifest({
      app: service('app', 'app', {
        image: 'a',
        command: ['sh', '-c', 'echo $HOME'],
        env: {PRICE: '$5', DIR: '${volumes.logs}/x'},
        volumes: [{type: 'volume', source: 'logs', target: '/var/log/app', readOnly: false}],
        health: {check: {kind: 'exec', command: ['true']}, intervalMs: 250, timeoutMs: 2000, retries: 5, startPeriodMs: 90_000, startTimeoutMs: 60_000},
        restart: 'on-failure',
        maxRestarts: 3,
        stopSignal: 'SIGINT',
        stopTimeoutMs: 2500,
      }),
      volumes: ['logs'],
    });
    const app = services(m).app!;
    expect(app.command).toEqual(['sh', '-c', 'echo $$HOME']);
    expect(app.environment).toEqual({PRICE: '$$5', DIR: '/var/log/app/x'});
    expect(app.healthcheck).toEqual({test: ['CMD', 'true'], interval: '250ms', timeout: '2s', retries: 5, start_period: '1m30s'});
    expect(app.restart).toBe('on-failure:3');
    expect(app.stop_signal).toBe('SIGINT');
    expect(app.stop_grace_period).toBe('2s500ms');
    // Issue 8.12: volumes carry the project label the services carry (external ones are not ours).
    expect(composeFile(m).document.volumes).toEqual({logs: {name: 'test_logs', labels: {'sidecar.project': 'test'}}});
  });

  it('turns http and tcp probes into in-container commands and says so', () => {
    const m = manifest({app: service('app', 'app', {image: 'a', health: {...tcp(1), check: {kind: 'http', port: 8080, path: '/healthz', scheme: 'http', headers: {}}}})});
    const {document, losses} = composeFile(m);
    const test = (document.services.app as {healthcheck: {test: string[]}}).healthcheck.test;
    expect(test[0]).toBe('CMD-SHELL');
    expect(test[1]).toContain('wget -q -O /dev/null http://127.0.0.1:8080/healthz');
    expect(losses).toContainEqual(expect.objectContaining({service: 'app', feature: 'health.http', message: expect.stringContaining('Compose cannot probe HTTP from outside the image')}));
  });

  it('writes build contexts and bind mounts relative to the output directory', () => {
    const m = manifest({
      dir: '/proj',
      app: service('app', 'app', {build: {context: '/proj/app', dockerfile: 'Dockerfile', args: {V: '1'}}, volumes: [{type: 'bind', source: './conf', hostPath: '/proj/conf', target: '/etc/app', readOnly: true}]}),
    });
    const beside = composeFile(m).document.services.app as Record<string, any>;
    expect(beside.image).toBe('test-app:latest');
    expect(beside.build).toEqual({context: './app', dockerfile: 'Dockerfile', args: {V: '1'}});
    expect(beside.volumes).toEqual(['./conf:/etc/app:ro']);
    const elsewhere = composeFile(m, {outputDir: '/proj/deploy'}).document.services.app as Record<string, any>;
    expect(elsewhere.build.context).toBe('../app');
  });

  it('refuses a service that has only a command, naming every one', () => {
    const m = manifest({app: service('app', 'app', {command: ['node', 'x.js']}), sidecars: [service('p', 'sidecar', {command: ['p']})]});
    expect(() => composeFile(m)).toThrow(SidecarError);
    try {
      composeFile(m);
    } catch (error) {
      expect((error as SidecarError).code).toBe('SIDECAR_MANIFEST_INVALID');
      expect((error as SidecarError).problems.map((p) => p.message)).toEqual([expect.stringContaining('sidecars.p'), expect.stringContaining('app:')]);
    }
  });
});

describe('compose: rendering', () => {
  it('quotes what YAML 1.1 readers would misread, and has no version key', () => {
    const m = manifest({app: service('app', 'app', {image: 'a', restart: 'never', env: {A: 'on', B: '8080:30', C: 'yes'}})});
    const {yaml} = generate(m, 'compose');
    expect(yaml).toContain('restart: "no"');
    expect(yaml).toContain('A: "on"');
    expect(yaml).toContain('B: "8080:30"');
    expect(yaml).not.toMatch(/^version:/m);
    const back = parse(yaml, {version: '1.1'}) as {services: Services};
    expect(back.services.app!.restart).toBe('no');
    expect(back.services.app!.environment).toEqual({A: 'on', B: '8080:30', C: 'yes'});
  });
});
