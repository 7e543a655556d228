import {describe, expect, it} from 'vitest';
import {gatesOf, selectServices} from '../../../src/supervisor/start-plan.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

const m = (startup: 'ordered' | 'parallel' = 'ordered') =>
  manifest({
    startup,
    init: [service('migrate', 'init')],
    sidecars: [service('db', 'sidecar'), service('proxy', 'sidecar'), service('metrics', 'sidecar', {after: ['db', 'migrate']})],
    app: service('app', 'app'),
  }).pods[0]!;

describe('start plan (DESIGN 1)', () => {
  it('gates each sidecar on the previous one, and the app on every sidecar', () => {
    const plan = m();
    expect(gatesOf(plan, plan.sidecars[0]!)).toEqual([]);
    expect(gatesOf(plan, plan.sidecars[1]!)).toEqual(['db']);
    expect(gatesOf(plan, plan.sidecars[2]!)).toEqual(['proxy', 'db']);
    expect(gatesOf(plan, plan.app)).toEqual(['db', 'proxy', 'metrics']);
  });

  it('with startup: parallel only `after` gates a sidecar (init jobs are done before any)', () => {
    const plan = m('parallel');
    expect(gatesOf(plan, plan.sidecars[1]!)).toEqual([]);
    expect(gatesOf(plan, plan.sidecars[2]!)).toEqual(['db']);
  });

  it('`up SERVICE` starts the service and what it waits for', () => {
    expect(selectServices(m(), ['proxy']).map((s) => s.name)).toEqual(['db', 'proxy']);
    expect(selectServices(m('parallel'), ['proxy']).map((s) => s.name)).toEqual(['proxy']);
    expect(selectServices(m(), ['app']).map((s) => s.name)).toEqual(['db', 'proxy', 'metrics', 'app']);
    expect(selectServices(m(), undefined).map((s) => s.name)).toEqual(['db', 'proxy', 'metrics', 'app']);
    expect(() => selectServices(m(), ['nope'])).toThrow(expect.objectContaining({code: 'SIDECAR_UNKNOWN_SERVICE'}));
  });
});
