import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {compileUserRegex, userRegexProblem} from '../../../src/manifest/user-regex.js';
import {loadManifest} from '../../../src/manifest/load.js';

const root = mkdtempSync(path.join(tmpdir(), 'sidecar-regex-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

describe('user regexes run on RE2 (issue 9 point 4)', () => {
  it('matches in linear time where a backtracking engine would not finish', () => {
    const line = `${'a'.repeat(100_000)}!`;
    const began = performance.now();
    expect(compileUserRegex('(a+)+$').test(line)).toBe(false);
    expect(compileUserRegex('(x+x+)+y').test('x'.repeat(100_000))).toBe(false);
    // V8 needs longer than the age of the universe for these; RE2 a few ms each.
    // Generous bound: the point is "finishes", not "fast".
    expect(performance.now() - began).toBeLessThan(5000);
  });

  it.each([
    ['listening on port \\d+', 'listening on port 8080', true],
    ['^ready$', 'ready', true],
    ['^ready$', 'not ready', false],
    ['Server (started|ready)', 'Server ready in 3ms', true],
    ['\\u0041BC', 'ABC', true],
    ['(?<word>re)ady', 'ready', true],
    ['(?i)READY', 'ready', true],
    ['a/b', 'a/b', true],
  ])('%s against %s: %s (JavaScript spellings keep working)', (pattern, line, expected) => {
    expect(userRegexProblem(pattern)).toBeUndefined();
    expect(compileUserRegex(pattern).test(line)).toBe(expected);
  });

  it.each([
    ['(a)\\1', /backreference \(\\1\)/, /spell the repeated text out/],
    ['(?<n>a)\\k<n>', /backreference \(\\k<name>\)/, /RE2/],
    ['(?=.*ready)', /lookahead \(\(\?=\.\.\.\)/, /match the text itself/],
    ['foo(?!bar)', /lookahead \(\(\?!\.\.\.\)/, /RE2/],
    ['(?<=port )\\d+', /lookbehind \(\(\?<=\.\.\.\)/, /RE2/],
    ['(?<!x)y', /lookbehind/, /RE2/],
    ['listening on ([0-9]+', /not a regular expression: missing closing \)/, /escape/],
    ['\\d{1,2000}', /a repeat count over 1000 \(RE2's limit\), at \{1,2000\}/, /\+ or \* where an exact count is not needed, or a count of at most 1000/],
    ['(a{40}){30}', /repeats nested in it that multiply to more than 1000 \(RE2's limit\), at \{30\}/, /fewer or smaller nested repeats/],
    ['a{3,2}', /a repeat \{3,2\} whose least count is above its greatest/, /smaller count first, e\.g\. \{2,3\}/],
  ])('%s is refused: %s', (pattern, message, suggestion) => {
    const problem = userRegexProblem(pattern);
    expect(problem?.message).toMatch(message);
    expect(problem?.suggestion).toMatch(suggestion);
  });

  it('does not mistake escaped or bracketed text for what RE2 lacks', () => {
    for (const pattern of ['\\(\\?=x\\)', '[(?=]x', '[\\d]', '\\\\1', 'a[]](?:b)']) expect(userRegexProblem(pattern), pattern).toBeUndefined();
  });

  it('a manifest whose log probe RE2 cannot run is exit 3 at the probe, saying why', async () => {
    const dir = mkdtempSync(path.join(root, 'm-'));
    const file = path.join(dir, 'sidecar.yaml');
    writeFileSync(file, 'version: 1\napp:\n  command: [node, server.js]\n  health:\n    log: "(a)\\\\1 ready"\n');
    const error = await loadManifest(file, {env: {}}).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SidecarError);
    const failure = error as SidecarError;
    expect(failure.exitCode).toBe(3);
    expect(failure.problems[0]).toMatchObject({place: {file, line: 5, column: 10, path: 'app.health.log'}});
    expect(failure.problems[0]!.message).toMatch(/backreference.*RE2 does not support/);
  });
});
