import {describe, expect, it} from 'vitest';
import {mergeGitignore} from '../../../src/scaffold/gitignore-merge.js';

describe('mergeGitignore', () => {
  it('appends the missing entries under a heading', () => {
    expect(mergeGitignore('node_modules/\n', '.sidecar/\n')).toBe('node_modules/\n\n# sidecar\n.sidecar/\n');
  });

  it('adds a newline to a file that lacks one', () => {
    expect(mergeGitignore('dist', '.sidecar/')).toBe('dist\n\n# sidecar\n.sidecar/\n');
  });

  it.each(['.sidecar\n', '/.sidecar/\n', '.sidecar/\n', 'x\n  .sidecar/  \n'])('never duplicates an equivalent entry (%j)', (existing) => {
    expect(mergeGitignore(existing, '.sidecar/\n')).toBeUndefined();
  });

  it('ignores comments and blank lines of the addition', () => {
    expect(mergeGitignore('', '# comment\n\n.sidecar/\nnode_modules/\n')).toBe('# sidecar\n.sidecar/\nnode_modules/\n');
  });

  // Issue 8.12, the same cause in init: an appended block follows the file's line endings.
  it('keeps a CRLF file CRLF', () => {
    expect(mergeGitignore('dist/\r\nnode_modules/\r\n', '.sidecar/\n')).toBe('dist/\r\nnode_modules/\r\n\r\n# sidecar\r\n.sidecar/\r\n');
  });

  it('is idempotent', () => {
    const once = mergeGitignore('dist/\n', '.sidecar/\n')!;
    expect(mergeGitignore(once, '.sidecar/\n')).toBeUndefined();
  });
});
