import {createHash} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {shortHash} from '../../../../src/runtime/docker/naming.js';

describe('shortHash', () => {
  // Labels (sidecar.project-dir), config hashes and names of running stacks are
  // made from it: computed without node:crypto, it must not change.
  it('is the first hex digits of the sha256 node:crypto computes', () => {
    for (const [value, length] of [['/srv/shop', 8], ['{"Image":"x","Env":["A=é"]}', 16], ['', 12]] as const) {
      expect(shortHash(value, length)).toBe(createHash('sha256').update(value).digest('hex').slice(0, length));
    }
  });
});
