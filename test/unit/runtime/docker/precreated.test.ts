import type Docker from 'dockerode';
import {describe, expect, it} from 'vitest';
import {CREATE_CONCURRENCY, PrecreatedContainers, type Ahead} from '../../../../src/runtime/docker/precreated.js';
import {service} from '../../../helpers/manifest-builder.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return {promise, resolve};
};
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const fakeAhead = (id: string): Ahead => ({container: {id} as unknown as Docker.Container, logsEnded: Promise.resolve()});

describe('containers made ahead (issue 13.5)', () => {
  it('a creation waiting for its pod to run holds no place: the next pods are created meanwhile', async () => {
    const precreated = new PrecreatedContainers();
    const infraRuns = deferred();
    const created: string[] = [];
    const started: string[] = [];
    // One pod's containers wait for its infra; more than CREATE_CONCURRENCY of them.
    const services = Array.from({length: CREATE_CONCURRENCY + 3}, (_, i) => service(`s${i}`, 'sidecar', {id: `p${Math.floor(i / 3)}/s${i}`}));
    for (const s of services) {
      precreated.add(s, `infra-${s.id.split('/')[0]}`, async (bounded) => {
        await bounded(async () => void created.push(s.id));
        await infraRuns.promise;
        await bounded(async () => void started.push(s.id));
        return fakeAhead(s.id);
      });
    }
    for (let i = 0; i < 5; i++) await settle();
    // Every one is created while the infras still start (before: only the first 6, holding their places).
    expect(created).toEqual(services.map((s) => s.id));
    expect(started).toEqual([]);
    infraRuns.resolve();
    const taken = await Promise.all(services.map((s) => precreated.take(s, `infra-${s.id.split('/')[0]}`)));
    expect(taken.map((ahead) => ahead?.container.id)).toEqual(services.map((s) => s.id));
    expect(started.sort()).toEqual(services.map((s) => s.id).sort());
  });

  it('asks the engine at most CREATE_CONCURRENCY steps at once, the first asked first', async () => {
    const precreated = new PrecreatedContainers();
    const release = deferred();
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const services = Array.from({length: CREATE_CONCURRENCY * 2}, (_, i) => service(`s${i}`, 'sidecar'));
    for (const s of services) {
      precreated.add(s, 'infra', async (bounded) => {
        await bounded(async () => {
          order.push(s.id);
          most = Math.max(most, ++running);
          await release.promise;
          running--;
        });
        return fakeAhead(s.id);
      });
    }
    for (let i = 0; i < 5; i++) await settle();
    expect(order).toEqual(services.slice(0, CREATE_CONCURRENCY).map((s) => s.id));
    release.resolve();
    await Promise.all(services.map((s) => precreated.take(s, 'infra')));
    expect(most).toBe(CREATE_CONCURRENCY);
    expect(order).toEqual(services.map((s) => s.id));
  });
});
