import {describe, expect, it} from 'vitest';
import {catalogFromIds, catalogOf, podOfId, resolveServiceRefs, type StackCatalog} from '../../../src/manifest/service-ref.js';
import {SidecarError} from '../../../src/errors/index.js';
import {ErrorCodes} from '../../../src/errors/codes.js';
import {manifest, podsManifest, service} from '../../helpers/manifest-builder.js';
import {unknownService} from '../../../src/manifest/unknown-service.js';

// Issue 10 point 2: what a user types names services of the stack.
const FILE = '/p/sidecar.yaml';
// Two pods, orders after payments; both have an app and a proxy, only orders an egress,
// and one pod (`metrics`) whose name is also a service of payments.
const pods = catalogFromIds(['payments/app', 'payments/proxy', 'payments/metrics', 'orders/migrate', 'orders/proxy', 'orders/egress', 'orders/app', 'metrics/app'], 'shop', FILE);
const imported = catalogFromIds(['db/db', 'web/web'], 'shop', FILE);
const single = catalogOf(manifest({name: 'shop', dir: '/p', app: service('app', 'app'), sidecars: [service('proxy', 'sidecar'), service('log-shipper', 'sidecar')], init: [service('migrate', 'init')]}));

describe('resolveServiceRefs', () => {
  const cases: Array<{what: string; catalog: StackCatalog; words: string[]; ids: string[]}> = [
    {what: 'single form: bare names, as before pods', catalog: single, words: ['proxy', 'app'], ids: ['proxy', 'app']},
    {what: 'single form: an init job', catalog: single, words: ['migrate'], ids: ['migrate']},
    {what: 'single form: nothing named is nothing', catalog: single, words: [], ids: []},
    {what: 'POD/SERVICE', catalog: pods, words: ['orders/proxy'], ids: ['orders/proxy']},
    {what: 'a bare service only one pod has', catalog: pods, words: ['egress'], ids: ['orders/egress']},
    {what: 'a bare pod: all its services in start order', catalog: pods, words: ['orders'], ids: ['orders/migrate', 'orders/proxy', 'orders/egress', 'orders/app']},
    {what: 'a pod and one of its services: each once', catalog: pods, words: ['orders/app', 'orders'], ids: ['orders/app', 'orders/migrate', 'orders/proxy', 'orders/egress']},
    {what: 'several words keep their order', catalog: pods, words: ['payments/proxy', 'egress', 'payments/app'], ids: ['payments/proxy', 'orders/egress', 'payments/app']},
    {what: 'the pod whose name a service also has, by its services', catalog: pods, words: ['metrics/app', 'payments/metrics'], ids: ['metrics/app', 'payments/metrics']},
    // What `sidecar import` makes of a Compose file: a pod per service, its one service
    // named as the pod. Found by a new user's trial: `logs db` was refused as ambiguous.
    {what: 'a pod whose one service has its name: that service', catalog: imported, words: ['db', 'web'], ids: ['db/db', 'web/web']},
    {what: 'a pod whose one service has its name, by POD/SERVICE', catalog: imported, words: ['db/db'], ids: ['db/db']},
  ];
  for (const c of cases) {
    it(c.what, () => {
      expect(resolveServiceRefs(c.catalog, c.words)).toEqual(c.ids);
    });
  }

  const errors: Array<{what: string; catalog: StackCatalog; word: string; code: string; message: RegExp; suggestion: RegExp}> = [
    {
      what: 'single form: unknown, with the names there are',
      catalog: single,
      word: 'nope',
      code: 'SIDECAR_UNKNOWN_SERVICE',
      message: /^no service named "nope" in \/p\/sidecar\.yaml$/,
      suggestion: /^use one of: migrate, proxy, log-shipper, app$/,
    },
    {what: 'single form: a near miss', catalog: single, word: 'porxy', code: 'SIDECAR_UNKNOWN_SERVICE', message: /"porxy"/, suggestion: /^did you mean "proxy"\? use one of: /},
    // The single form knows no pods: the project name or POD/SERVICE is unknown, as before pods.
    {what: 'single form: the project is not a word', catalog: single, word: 'shop', code: 'SIDECAR_UNKNOWN_SERVICE', message: /"shop"/, suggestion: /use one of/},
    {what: 'single form: no POD/SERVICE', catalog: single, word: 'shop/app', code: 'SIDECAR_UNKNOWN_SERVICE', message: /"shop\/app"/, suggestion: /use one of/},
    {
      what: 'a bare service two pods have',
      catalog: pods,
      word: 'proxy',
      code: 'SIDECAR_AMBIGUOUS_SERVICE',
      message: /^"proxy" is a service in pods payments and orders of \/p\/sidecar\.yaml$/,
      suggestion: /^write payments\/proxy or orders\/proxy$/,
    },
    {what: 'a bare app three pods have', catalog: pods, word: 'app', code: 'SIDECAR_AMBIGUOUS_SERVICE', message: /pods payments, orders and metrics/, suggestion: /^write payments\/app or orders\/app or metrics\/app$/},
    {
      what: 'a word that is a pod and a service',
      catalog: pods,
      word: 'metrics',
      code: 'SIDECAR_AMBIGUOUS_SERVICE',
      message: /^"metrics" is a pod and a service in pod payments/,
      suggestion: /^write payments\/metrics; for the whole pod metrics, name its services: metrics\/app$/,
    },
    {
      what: 'unknown: pods and ids listed',
      catalog: pods,
      word: 'nope',
      code: 'SIDECAR_UNKNOWN_SERVICE',
      message: /^no pod or service named "nope" in \/p\/sidecar\.yaml$/,
      suggestion: /^use a pod \(payments, orders, metrics\) or POD\/SERVICE \(payments\/app, .*, metrics\/app\)$/,
    },
    {what: 'a near miss of a pod', catalog: pods, word: 'order', code: 'SIDECAR_UNKNOWN_SERVICE', message: /"order"/, suggestion: /^did you mean "orders"\?/},
    {what: 'a near miss of POD/SERVICE', catalog: pods, word: 'order/egres', code: 'SIDECAR_UNKNOWN_SERVICE', message: /"order\/egres"/, suggestion: /^did you mean "orders\/egress"\?/},
    {what: 'a near miss of an unambiguous bare name', catalog: pods, word: 'egres', code: 'SIDECAR_UNKNOWN_SERVICE', message: /"egres"/, suggestion: /^did you mean "egress"\?/},
    {what: 'a known service in another pod', catalog: pods, word: 'payments/egress', code: 'SIDECAR_UNKNOWN_SERVICE', message: /"payments\/egress"/, suggestion: /orders\/egress/},
    {what: 'an unknown pod with a known service', catalog: pods, word: 'billing/app', code: 'SIDECAR_UNKNOWN_SERVICE', message: /"billing\/app"/, suggestion: /use a pod/},
  ];
  for (const c of errors) {
    it(`${c.what}: ${c.code}`, () => {
      let thrown: unknown;
      try {
        resolveServiceRefs(c.catalog, ['egress', c.word].filter((w) => c.catalog.form === 'pods' || w !== 'egress'));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SidecarError);
      const error = thrown as SidecarError;
      expect(error.code).toBe(c.code);
      // A usage error (exit 2), as an unknown service always was.
      expect(error.exitCode).toBe(ErrorCodes.SIDECAR_UNKNOWN_SERVICE);
      expect(error.message).toMatch(c.message);
      expect(error.suggestion).toMatch(c.suggestion);
    });
  }
});

describe('catalogs', () => {
  it('podOfId: POD/SERVICE, or the project for a single-form id', () => {
    expect(podOfId('orders/app', 'shop')).toBe('orders');
    expect(podOfId('app', 'shop')).toBe('shop');
  });

  it('from ids: the form, pods in first-seen order, bare names', () => {
    expect(pods.form).toBe('pods');
    expect(pods.pods).toEqual(['payments', 'orders', 'metrics']);
    expect(pods.services[0]).toEqual({id: 'payments/app', pod: 'payments', name: 'app'});
    const recorded = catalogFromIds(['proxy', 'app'], 'shop', FILE);
    expect(recorded).toEqual({form: 'single', file: FILE, pods: ['shop'], services: [{id: 'proxy', pod: 'shop', name: 'proxy'}, {id: 'app', pod: 'shop', name: 'app'}]});
  });

  it('from a manifest: the same as from its ids', () => {
    expect(catalogFromIds(single.services.map((s) => s.id), 'shop', FILE)).toEqual(single);
  });
});

describe("the supervisor's answer for a word that names no single service", () => {
  const shop = podsManifest({
    pods: [
      {name: 'payments', app: service('app', 'app'), sidecars: [service('proxy', 'sidecar')]},
      {name: 'orders', app: service('app', 'app'), sidecars: [service('proxy', 'sidecar'), service('egress', 'sidecar')]},
    ],
  });
  const cases: Array<{word: string; code: string; text: RegExp}> = [
    {word: 'proxy', code: 'SIDECAR_AMBIGUOUS_SERVICE', text: /write payments\/proxy or orders\/proxy/},
    {word: 'orders', code: 'SIDECAR_USAGE', text: /name one of: orders\/proxy, orders\/egress, orders\/app/},
    {word: 'nope', code: 'SIDECAR_UNKNOWN_SERVICE', text: /use a pod \(payments, orders\)/},
  ];
  for (const c of cases) {
    it(`${c.word}: ${c.code}`, () => {
      const error = unknownService(shop, c.word);
      expect(error.code).toBe(c.code);
      expect(error.exitCode).toBe(2);
      expect(error.suggestion).toMatch(c.text);
    });
  }
});
