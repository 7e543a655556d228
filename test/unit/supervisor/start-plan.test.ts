import {describe, expect, it} from 'vitest';
import {aheadOrder, gatesOf, selectServices} from '../../../src/supervisor/start-plan.js';
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

describe('the order units are made ahead in (issue 13.5)', () => {
  const unit = (pod: string, name: string) => service(name, name === 'app' ? 'app' : 'sidecar', {id: `${pod}/${name}`});
  const pod = (name: string, after: string[] = []) => ({name, after, units: [unit(name, 'proxy'), unit(name, 'tailer'), unit(name, 'app')]});
  const ids = (units: {id: string}[]) => units.map((u) => u.id);

  it('interleaves pods that start together: every first service before any second one', () => {
    expect(ids(aheadOrder([pod('a'), pod('b'), pod('c')]))).toEqual(['a/proxy', 'b/proxy', 'c/proxy', 'a/tailer', 'b/tailer', 'c/tailer', 'a/app', 'b/app', 'c/app']);
  });

  it('a pod after another comes after all of it; pods of one depth interleave', () => {
    expect(ids(aheadOrder([pod('c', ['a']), pod('a'), pod('b', ['a'])]))).toEqual(['a/proxy', 'a/tailer', 'a/app', 'c/proxy', 'b/proxy', 'c/tailer', 'b/tailer', 'c/app', 'b/app']);
    expect(ids(aheadOrder([pod('a'), pod('b', ['a']), pod('c', ['b'])]))).toEqual(['a/proxy', 'a/tailer', 'a/app', 'b/proxy', 'b/tailer', 'b/app', 'c/proxy', 'c/tailer', 'c/app']);
  });

  it('a pod after one that is not starting now (already up) starts with the first ones', () => {
    expect(ids(aheadOrder([pod('b', ['up-already']), pod('c')]))).toEqual(['b/proxy', 'c/proxy', 'b/tailer', 'c/tailer', 'b/app', 'c/app']);
  });

  it('one pod: its units as given', () => {
    expect(ids(aheadOrder([pod('a')]))).toEqual(['a/proxy', 'a/tailer', 'a/app']);
  });
});
