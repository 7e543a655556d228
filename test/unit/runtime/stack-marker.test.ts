import {createHash} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {cgroupBase, stackId} from '../../../src/runtime/process/stack-marker.js';
import type {Manifest} from '../../../src/manifest/types.js';

const manifestAt = (file: string, name = 'shop'): Manifest => ({file, name}) as Manifest;

describe('stackId', () => {
  // The marker and the cgroup names of running stacks (and of a dead supervisor's
  // leftovers) are made from it: computed without node:crypto, it must not change.
  it('is the name and the first 12 hex digits of the sha256 of the manifest path, as node:crypto computes it', () => {
    for (const file of ['/srv/shop/sidecar.yaml', '/home/ana/projects/été/sidecar.yaml', `/tmp/${'x'.repeat(300)}/sidecar.yaml`]) {
      expect(stackId(manifestAt(file))).toBe(`shop-${createHash('sha256').update(file).digest('hex').slice(0, 12)}`);
    }
  });

  it('differs between two directories, and names the stack cgroup', () => {
    expect(stackId(manifestAt('/a/sidecar.yaml'))).not.toBe(stackId(manifestAt('/b/sidecar.yaml')));
    expect(cgroupBase(manifestAt('/a/sidecar.yaml'))).toBe(`sidecar-${stackId(manifestAt('/a/sidecar.yaml'))}`);
  });
});
