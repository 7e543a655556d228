import {describe, expect, it} from 'vitest';
import {randomUuid} from '../../../src/runtime/random-id.js';

describe('randomUuid', () => {
  it('is a version 4 UUID (RFC 9562 variant), as node:crypto randomUUID gives', () => {
    for (let i = 0; i < 50; i++) expect(randomUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs every time', () => {
    const ids = new Set(Array.from({length: 1000}, () => randomUuid()));
    expect(ids.size).toBe(1000);
  });
});
