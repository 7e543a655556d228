import {describe, expect, it} from 'vitest';
import {serviceSpec} from '../../../../src/runtime/docker/container-spec.js';
import {manifest, service} from '../../../helpers/manifest-builder.js';

// Issue 12.4: `resources` as the container's limits; MemorySwap equal to Memory so
// there is no swap on top (`docker run -m` alone allows as much swap again).
describe('serviceSpec limits', () => {
  it('sets Memory, MemorySwap and NanoCpus from resources, and nothing without them', () => {
    const limited = service('app', 'app', {image: 'x', resources: {memoryBytes: 96 * 2 ** 20, cpus: 0.5}});
    const bare = service('app', 'app', {image: 'x'});
    const m = manifest({app: limited});
    expect(serviceSpec(m, limited, 'infra', 'sha256:1').HostConfig).toMatchObject({Memory: 96 * 2 ** 20, MemorySwap: 96 * 2 ** 20, NanoCpus: 500_000_000});
    const plain = serviceSpec(manifest({app: bare}), bare, 'infra', 'sha256:1').HostConfig!;
    expect([plain.Memory, plain.MemorySwap, plain.NanoCpus]).toEqual([undefined, undefined, undefined]);
  });

  it('caps cpus at the engine\'s CPU count, which the engine would refuse to exceed', () => {
    const greedy = service('app', 'app', {image: 'x', resources: {cpus: 4}});
    const m = manifest({app: greedy});
    expect(serviceSpec(m, greedy, 'infra', 'sha256:1', 2).HostConfig!.NanoCpus).toBe(2_000_000_000);
    expect(serviceSpec(m, greedy, 'infra', 'sha256:1', 8).HostConfig!.NanoCpus).toBe(4_000_000_000);
  });

  it('a changed limit is a changed service (config hash), so `up` recreates it', () => {
    const a = service('app', 'app', {image: 'x', resources: {memoryBytes: 96 * 2 ** 20}});
    const b = service('app', 'app', {image: 'x', resources: {memoryBytes: 128 * 2 ** 20}});
    const hash = (s: typeof a) => serviceSpec(manifest({app: s}), s, 'infra', 'sha256:1').Labels!['sidecar.config-hash'];
    expect(hash(a)).not.toBe(hash(b));
  });
});
