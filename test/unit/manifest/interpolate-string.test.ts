import {describe, expect, it} from 'vitest';
import {interpolateString} from '../../../src/manifest/interpolate-string.js';

const env: Record<string, string> = {SET: 'value', EMPTY: '', PORT: '8080', HOST: 'db', NESTED: 'inner'};
const lookup = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);

// Compose interpolation rules, one row each: [input, expected value, unset names].
const CASES: [string, string, string[]][] = [
  ['plain text', 'plain text', []],
  ['$$', '$', []],
  ['cost: $$5', 'cost: $5', []],
  ['$${SET}', '${SET}', []],
  ['$SET', 'value', []],
  ['$SET/x', 'value/x', []],
  ['${SET}', 'value', []],
  ['a${SET}b', 'avalueb', []],
  ['$UNSET', '', ['UNSET']],
  ['${UNSET}', '', ['UNSET']],
  ['${EMPTY}', '', []],
  ['${UNSET:-default}', 'default', []],
  ['${EMPTY:-default}', 'default', []],
  ['${SET:-default}', 'value', []],
  ['${UNSET-default}', 'default', []],
  ['${EMPTY-default}', '', []],
  ['${SET:+replaced}', 'replaced', []],
  ['${EMPTY:+replaced}', '', []],
  ['${UNSET:+replaced}', '', []],
  ['${EMPTY+replaced}', 'replaced', []],
  ['${UNSET+replaced}', '', []],
  ['${UNSET:-${NESTED}}', 'inner', []],
  ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep', []],
  ['${UNSET:-${ALSO_UNSET}}', '', ['ALSO_UNSET']],
  ['${UNSET:-http://${HOST}:${PORT}/}', 'http://db:8080/', []],
  ['${SET:?must be set}', 'value', []],
  ['${volumes.logs}', '${volumes.logs}', []],
  ['${volumes.logs}/app.log', '${volumes.logs}/app.log', []],
  ['--dir=${volumes.my-data.v2}', '--dir=${volumes.my-data.v2}', []],
  ['$', '$', []],
  ['100$', '100$', []],
  ['$1', '$1', []],
  ['${UNSET:-a:b-c}', 'a:b-c', []],
  ['${UNSET:-}', '', []],
];

describe('interpolateString (Compose rules)', () => {
  it.each(CASES)('%j -> %j', (input, value, unset) => {
    const result = interpolateString(input, lookup);
    expect(result.issues).toEqual([]);
    expect(result.value).toBe(value);
    expect(result.unset).toEqual(unset);
  });

  it.each([
    ['${UNSET:?set UNSET first}', 0, /required variable UNSET is not set: set UNSET first/],
    ['${EMPTY:?}', 0, /required variable EMPTY is not set: EMPTY is required/],
    ['${UNSET?}', 0, /UNSET is required/],
    ['x ${UNSET:?the ${SET} message}', 2, /the value message/],
  ] as const)('%j is an error at index %i', (input, index, message) => {
    const result = interpolateString(input, lookup);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.index).toBe(index);
    expect(result.issues[0]!.message).toMatch(message);
    expect(result.issues[0]!.suggestion).toMatch(/\.env/);
  });

  it('${EMPTY?} is satisfied by an empty value (no colon: only unset fails)', () => {
    expect(interpolateString('${EMPTY?}', lookup)).toEqual({value: '', issues: [], unset: [], used: ['EMPTY']});
  });

  it('lists every variable it read, once, in order (messages name them)', () => {
    expect(interpolateString('$SET ${UNSET:-${PORT}} ${SET} $$X', lookup).used).toEqual(['SET', 'UNSET', 'PORT']);
    expect(interpolateString('${SET:-${PORT}}', lookup).used).toEqual(['SET']);
  });

  it('nesting deeper than 32 defaults is an error, not a stack overflow (issue 9.9)', () => {
    const deep = `${'${A:-'.repeat(3000)}x${'}'.repeat(3000)}`;
    const result = interpolateString(deep, lookup);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]!.message).toMatch(/nested more than 32 levels deep/);
    expect(interpolateString(`${'${A:-'.repeat(32)}x${'}'.repeat(32)}`, lookup)).toMatchObject({value: 'x', issues: []});
  });

  it.each([
    ['${', 0, /unclosed/],
    ['abc ${SET', 4, /unclosed/],
    ['${}', 0, /not a valid substitution/],
    ['${1X}', 0, /not a valid substitution/],
    ['${A B}', 0, /not a valid substitution/],
    ['${SET:=x}', 0, /not a valid substitution/],
    ['ok ${volumes.}', 3, /not a valid substitution/],
  ] as const)('bad syntax %j at index %i', (input, index, message) => {
    const result = interpolateString(input, lookup);
    expect(result.issues[0]!.index).toBe(index);
    expect(result.issues[0]!.message).toMatch(message);
    expect(result.issues[0]!.suggestion).toMatch(/\$\$/);
  });
});
