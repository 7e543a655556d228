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
