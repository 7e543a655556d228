import {describe, expect, it} from 'vitest';
import {UnitRegistry} from '../../../../src/runtime/docker/unit-registry.js';
import {service} from '../../../helpers/manifest-builder.js';

// A stop waits for the pinning inspect of a unit started just before (issue
// 13.2), but never for an engine that does not answer it: the stop goes on
// through the engine, unpinned, within half a second.
describe('UnitRegistry.pinned', () => {
  it('gives up on an inspect that never answers', async () => {
    const units = new UnitRegistry();
    units.add(service('app', 'app', {image: 'x'}), 'c1');
    units.pin('c1', new Promise(() => undefined));
    const began = performance.now();
    await expect(units.pinned('c1')).resolves.toBeUndefined();
    expect(performance.now() - began).toBeLessThan(2000);
  });

  it('is nothing for a container it does not know or never pinned', async () => {
    const units = new UnitRegistry();
    units.add(service('app', 'app', {image: 'x'}), 'c1');
    await expect(units.pinned('c1')).resolves.toBeUndefined();
    await expect(units.pinned('nope')).resolves.toBeUndefined();
  });
});

// A trial of the start gate: a container started ahead, held by its gate, was
// killed before its turn; its `die` came before it was registered, was dropped,
// and only the gate's 1 s check saw it gone (the restart 1.4 s late).
describe('UnitRegistry: an exit seen before the container was registered', () => {
  it('settles the unit registered after it, at once, with that exit', async () => {
    const units = new UnitRegistry();
    units.settle('early', 137);
    const {unit} = units.add(service('app', 'app', {image: 'x'}), 'early');
    await expect(unit.exited).resolves.toMatchObject({service: 'app', exitCode: 137});
    expect(units.has('early')).toBe(false);
  });

  it('keeps it for that container only', async () => {
    const units = new UnitRegistry();
    units.settle('early', 1);
    const other = units.add(service('app', 'app', {image: 'x'}), 'other');
    let settled = false;
    void other.unit.exited.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    expect(units.has('other')).toBe(true);
  });
});
