import {describe, expect, it} from 'vitest';
import {safeJson} from '../../../src/output/safe-json.js';

describe('safeJson', () => {
  it('escapes every control character a terminal acts on and keeps the data', () => {
    const value = {line: 'a\u001b]0;owned\u0007b\u009b2Jc\u0085d\u2028e', n: 1};
    const text = safeJson(value);
    const raw = [...text].filter((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) || c === '\u2028' || c === '\u2029');
    expect(raw).toEqual([]);
    expect(JSON.parse(text)).toEqual(value);
    expect(JSON.parse(safeJson(value, 2))).toEqual(value);
  });
});
