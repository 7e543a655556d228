import {describe, expect, it} from 'vitest';
import {checkName, suggestName} from '../../../src/scaffold/scaffold-name.js';

describe('checkName', () => {
  it.each(['edge', 'log-shipper', 'a', 'x1', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(checkName(name, 'name')).toBe(name);
  });

  it.each(['../x', 'a/b', '/abs', '..', '.hidden', 'Edge', 'my_proxy', '-a', 'a-', '', 'a'.repeat(64), 'a b'])('refuses %j', (name) => {
    expect(() => checkName(name, 'name')).toThrow(expect.objectContaining({code: 'SIDECAR_SCAFFOLD_INVALID', exitCode: 2}));
  });

  it('suggests a valid spelling', () => {
    expect(() => checkName('My_Proxy', 'sidecar name')).toThrow(expect.objectContaining({suggestion: 'try --name my-proxy'}));
  });
});

describe('suggestName', () => {
  it.each([
    ['My Project', 'my-project'],
    ['/tmp/Shop_API/', 'shop-api'],
    ['..', ''],
    ['--x--', 'x'],
  ])('%s -> %s', (raw, expected) => {
    expect(suggestName(raw)).toBe(expected);
  });
});
