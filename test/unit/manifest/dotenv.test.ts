import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseDotenv, readEnvFile} from '../../../src/manifest/dotenv.js';

describe('parseDotenv', () => {
  it.each([
    ['A=1', {A: '1'}],
    ['A = 1 ', {A: '1'}],
    ['export A=1', {A: '1'}],
    ['# comment\n\nA=1\n  # indented comment', {A: '1'}],
    ['A=1 # trailing comment', {A: '1'}],
    ['A=1#not-a-comment', {A: '1#not-a-comment'}],
    ["A='single $X \\n # kept'", {A: 'single $X \\n # kept'}],
    ['A="line\\nbreak \\"q\\" \\\\ tab\\t"', {A: 'line\nbreak "q" \\ tab\t'}],
    ['A="# not a comment" # but this is', {A: '# not a comment'}],
    ['A=', {A: ''}],
    ['A=first\nA=second', {A: 'second'}],
    ['A=1\r\nB=2\r\n', {A: '1', B: '2'}],
    ['URL=postgres://u:p@h:5432/db?x=1', {URL: 'postgres://u:p@h:5432/db?x=1'}],
    ['dotted.key=1', {'dotted.key': '1'}],
    ['A="one\ntwo"\nB=3', {A: 'one\ntwo', B: '3'}],
    ["A='one\n#two'", {A: 'one\n#two'}],
    ['\uFEFFA=1', {A: '1'}],
  ] as const)('%j', (text, expected) => {
    expect(parseDotenv(text)).toEqual({values: expected, problems: [], unset: [], looked: {}});
  });

  // Found by a new user's trial: `.env` values were taken literally (Compose
  // interpolates them) and a malformed line was skipped without a word.
  it('interpolates unquoted and double-quoted values from the environment first, then the keys above; single quotes stay literal', () => {
    const env: Record<string, string> = {HOST: 'db.internal', PORT: '6543'};
    const parsed = parseDotenv(['PORT=5432', 'USER=app', 'URL=postgres://${USER}@${HOST}:${PORT}/x', 'Q="${USER:-none}-$$"', "L='${USER}'", 'D=${NOPE:-fallback}', 'E=${MISSING}x', 'HOST'].join('\n'), (name) => env[name]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.values).toEqual({PORT: '5432', USER: 'app', URL: 'postgres://app@db.internal:6543/x', Q: 'app-$', L: '${USER}', D: 'fallback', E: 'x', HOST: 'db.internal'});
    expect(parsed.unset).toEqual(['MISSING']);
    expect(parsed.looked).toMatchObject({USER: null, HOST: 'db.internal', PORT: '6543', NOPE: null, MISSING: null});
  });

  it('a line that is only a key takes the environment\'s value, and none when it is unset', () => {
    expect(parseDotenv('SET\nexport UNSET\nB=2', (name) => (name === 'SET' ? 'yes' : undefined)).values).toEqual({SET: 'yes', B: '2'});
  });

  it.each([
    ['B=2\nnot a line', 2, 1, '"not a line" is not KEY=VALUE'],
    ['  KEY WITH SPACE=1', 1, 3, '"KEY WITH SPACE=1" is not KEY=VALUE'],
    ['1A=1', 1, 1, '"1A=1" is not KEY=VALUE'],
    ['A=1\nB="never closed\nC=3', 2, 3, 'the double quote that starts the value of B is never closed'],
    ["A='x' y", 1, 7, 'unexpected "y" after the quoted value of A'],
    ['A=${B', 1, 3, 'unclosed "${" in "${B"'],
    ['A=x-${B:?is needed}', 1, 5, 'required variable B is not set: is needed'],
    // Found by a new user's trial: control characters were dropped from the message ("B=2").
    ['\u0001\u0002B=2', 1, 1, '"\\u0001\\u0002B=2" is not KEY=VALUE'],
  ] as const)('%j is a problem at its line and column', (text, line, column, message) => {
    const parsed = parseDotenv(text);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({line, column, message});
    expect(parsed.problems[0]!.suggestion).not.toBe('');
  });

  it('readEnvFile says a missing file is missing and returns the values and the text it read otherwise', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-dotenv-'));
    try {
      expect(readEnvFile(path.join(dir, '.env'), '.env')).toMatchObject({ok: false, missing: true});
      writeFileSync(path.join(dir, '.env'), 'A=1\n');
      expect(readEnvFile(path.join(dir, '.env'), '.env')).toEqual({ok: true, values: {A: '1'}, problems: [], unset: [], looked: {}, text: 'A=1\n'});
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
