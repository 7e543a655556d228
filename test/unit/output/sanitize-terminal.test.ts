import {describe, expect, it} from 'vitest';
import {sanitizeDeep, sanitizeForTerminal} from '../../../src/output/sanitize-terminal.js';

describe('sanitizeForTerminal', () => {
  it.each([
    ['title change (OSC 0, BEL)', '\u001b]0;pwned\u0007ok', 'ok'],
    ['clipboard (OSC 52, ST)', 'a\u001b]52;c;ZXZpbA==\u001b\\b', 'ab'],
    ['clear screen (CSI)', '\u001b[2Jok', 'ok'],
    ['cursor up and erase line', 'x\u001b[1A\u001b[2Ky', 'xy'],
    ['carriage return overwrite', 'evil\rgood', 'evilgood'],
    ['backspace and bell', 'a\u0008\u0007b', 'ab'],
    ['C1 CSI (0x9b)', 'a\u009b2Jb', 'a2Jb'],
    ['DCS string', 'a\u001bPq#0\u001b\\b', 'ab'],
    ['lone ESC at the end', 'ab\u001b', 'ab'],
    ['keeps tab, newline and text', 'a\tb\nc é ✓', 'a\tb\nc é ✓'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeForTerminal(input)).toBe(expected);
  });

  it('keeps colours only when asked, and never other sequences', () => {
    expect(sanitizeForTerminal('\u001b[31mred\u001b[0m')).toBe('red');
    expect(sanitizeForTerminal('\u001b[31mred\u001b[0m\u001b[2J', {keepColors: true})).toBe('\u001b[31mred\u001b[0m');
  });

  it('cleans every string of a JSON value', () => {
    expect(sanitizeDeep({project: '\u001b]0;x\u0007p', services: [{name: 'a\u001b[2J', pid: 3}]})).toEqual({project: 'p', services: [{name: 'a', pid: 3}]});
  });
});
