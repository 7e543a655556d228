import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {shellJoin} from '../../../src/generate/shell-quote.js';

describe('shellJoin', () => {
  it('passes every word through sh unchanged', () => {
    const words = ['plain', 'with space', "it's", '$HOME', '"q"', 'a\\b', '', 'x;y|z&', '--header', 'X-A: b'];
    const out = execFileSync('sh', ['-c', `printf '%s\\n' ${shellJoin(words)}`], {encoding: 'utf8'});
    expect(out).toBe(words.map((w) => `${w}\n`).join(''));
  });
});
