import {describe, expect, it} from 'vitest';
import {Deferred} from '../../../src/supervisor/deferred.js';
import {stopInOrder} from '../../../src/supervisor/stop-in-order.js';
import type {Unit} from '../../../src/supervisor/unit.js';

// DESIGN 6 with RunningUnit.gone (issue 13.2): the next stop begins when the one
// before it is gone, not when its exit is reported; done once every exit is.
function fakeUnit(name: string, gone?: Promise<void>): Unit {
  return {name, running: {gone}} as unknown as Unit;
}

// A driver whose stops settle when the test says: which were asked for, in order.
function recordingDriver(): {driver: {stopUnit: (unit: Unit) => Promise<void>}; asked: string[]; stops: Map<string, Deferred<void>>} {
  const asked: string[] = [];
  const stops = new Map<string, Deferred<void>>();
  const stopUnit = (unit: Unit): Promise<void> => {
    asked.push(unit.name);
    const stop = new Deferred<void>();
    stops.set(unit.name, stop);
    return stop.promise;
  };
  return {driver: {stopUnit}, asked, stops};
}

describe('stopInOrder', () => {
  it('begins the next stop once the unit before it is gone, and settles once every stop did', async () => {
    const gone = {app: new Deferred<void>(), side: new Deferred<void>()};
    const {driver, asked, stops} = recordingDriver();
    let allGone = false;
    let done = false;
    const order = stopInOrder(driver, [{unit: fakeUnit('app', gone.app.promise), timeoutMs: 1000}, {unit: fakeUnit('side', gone.side.promise), timeoutMs: 1000}], () => (allGone = true)).then(() => (done = true));
    await Promise.resolve();
    expect(asked).toEqual(['app']);
    gone.app.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    // The app's exit is not reported yet; the sidecar's stop has begun.
    expect(asked).toEqual(['app', 'side']);
    expect(allGone).toBe(false);
    gone.side.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(allGone).toBe(true);
    expect(done).toBe(false);
    stops.get('side')!.resolve();
    stops.get('app')!.resolve();
    await order;
    expect(done).toBe(true);
  });

  it('waits for the stop itself where the runtime cannot tell gone, and throws a failed stop', async () => {
    const {driver, asked, stops} = recordingDriver();
    const order = stopInOrder(driver, [{unit: fakeUnit('app'), timeoutMs: 1000}, {unit: fakeUnit('side'), timeoutMs: 1000}]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['app']);
    stops.get('app')!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['app', 'side']);
    stops.get('side')!.reject(new Error('engine gone'));
    await expect(order).rejects.toThrow('engine gone');
  });
});
