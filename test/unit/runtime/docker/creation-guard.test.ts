import type Docker from 'dockerode';
import {describe, expect, it} from 'vitest';
import {CreationGuard} from '../../../../src/runtime/docker/creation-guard.js';

// The rule a Docker teardown relies on (docker-runtime.ts): once closed, nothing
// more is asked of the engine; close() resolves when what was asked is answered,
// or at its deadline.
function engine(): {docker: Docker; asked: number; answer: () => void} {
  const pending: Array<() => void> = [];
  const fake = {
    asked: 0,
    answer: () => pending.shift()?.(),
    docker: {
      createContainer: () => {
        fake.asked++;
        return new Promise((resolve) => pending.push(() => resolve({id: `c${fake.asked}`})));
      },
    } as unknown as Docker,
  };
  return fake;
}

describe('CreationGuard', () => {
  it('asks nothing once closed, and says why', async () => {
    const guard = new CreationGuard();
    const fake = engine();
    await guard.close(1000);
    await expect(guard.create(fake.docker, {Image: 'x'})).rejects.toThrow('the stack is being stopped');
    await expect(guard.ask(() => Promise.resolve('network'))).rejects.toThrow('nothing is created any more');
    expect(fake.asked).toBe(0);
    expect(guard.isClosed).toBe(true);
  });

  it('close() waits for what was asked before, then resolves', async () => {
    const guard = new CreationGuard();
    const fake = engine();
    const created = guard.create(fake.docker, {Image: 'x'});
    let closed = false;
    const closing = guard.close(5000).then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    fake.answer();
    await closing;
    expect(closed).toBe(true);
    await expect(created).resolves.toEqual({id: 'c1'});
  });

  it('close() gives up waiting at its deadline', async () => {
    const guard = new CreationGuard();
    const fake = engine();
    void guard.create(fake.docker, {Image: 'x'});
    const began = performance.now();
    await guard.close(50);
    expect(performance.now() - began).toBeGreaterThanOrEqual(45);
    expect(performance.now() - began).toBeLessThan(1000);
  });

  it('opens again for a new start', async () => {
    const guard = new CreationGuard();
    const fake = engine();
    await guard.close(10);
    guard.open();
    const created = guard.create(fake.docker, {Image: 'x'});
    fake.answer();
    await expect(created).resolves.toEqual({id: 'c1'});
  });
});
