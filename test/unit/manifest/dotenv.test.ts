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
    ['not a line\nB=2', {B: '2'}],
    ['URL=postgres://u:p@h:5432/db?x=1', {URL: 'postgres://u:p@h:5432/db?x=1'}],
    ['dotted.key=1', {'dotted.key': '1'}],
  ] as const)('%j', (text, expected) => {
    expect(parseDotenv(text)).toEqual(expected);
  });

  it('readEnvFile says a missing file is missing and returns the values and the text it read otherwise', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-dotenv-'));
    try {
      expect(readEnvFile(path.join(dir, '.env'), '.env')).toMatchObject({ok: false, missing: true});
      writeFileSync(path.join(dir, '.env'), 'A=1\n');
      expect(readEnvFile(path.join(dir, '.env'), '.env')).toEqual({ok: true, values: {A: '1'}, text: 'A=1\n'});
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
