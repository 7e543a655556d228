import {RE2JS} from 're2js';
import {describe, expect, it} from 'vitest';
import {compileUserRegex, userRegexProblem} from '../../../src/manifest/user-regex.js';

// Issue 13.1: a `log:` pattern with no regex syntax is matched as its text, without
// compiling RE2; it must find exactly what RE2 finds, and a pattern with syntax still
// goes through RE2 (its problems are still reported).
describe('log: patterns that are plain text', () => {
  const lines = ['tailer: watching /var/log', 'TAILER: WATCHING', 'x tailer: watchingy', 'tailer:watching', '', 'ünïcødé ok — ready #1/2', 'a-b=c,d;e\'f"g'];

  it('match where RE2 matches, for every line', () => {
    for (const pattern of ['tailer: watching', 'ready #1/2', 'ünïcødé', '', 'a-b=c,d;e\'f"g', 'ing']) {
      expect(userRegexProblem(pattern)).toBeUndefined();
      const re2 = RE2JS.compile(RE2JS.translateRegExp(pattern));
      const ours = compileUserRegex(pattern);
      for (const line of lines) expect({pattern, line, matched: ours.test(line)}).toEqual({pattern, line, matched: re2.test(line)});
    }
  });

  it('a pattern with syntax is still a regular expression, and a broken one is still refused', () => {
    expect(compileUserRegex('^tailer: w.tching$').test('tailer: watching')).toBe(true);
    expect(compileUserRegex('watch(ing|ed)').test('watched')).toBe(true);
    expect(userRegexProblem('watch(ing')?.message).toContain('is not a regular expression');
    expect(userRegexProblem('(a)\\1')?.message).toContain('backreference');
  });
});
