import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {durationOption} from '../../../src/commands/duration-option.js';

const manifestDoc = readFileSync(fileURLToPath(new URL('../../../docs/manifest.md', import.meta.url)), 'utf8');

// Found by a new user's trial: docs/manifest.md said command-line durations may go up
// to 596h (the timer's own limit), the CLI refused anything over 576h (whole days).
describe('the longest command-line duration', () => {
  it('is the one docs/manifest.md names, accepted; a minute more is refused with it', () => {
    const documented = /Command-line durations[^.]*?not\s+exceed\s+(\d+)h/s.exec(manifestDoc)?.[1];
    expect(documented, 'the sentence in docs/manifest.md').toBeDefined();
    expect(durationOption('timeout', `${documented}h`)).toBe(Number(documented) * 3_600_000);
    expect(() => durationOption('timeout', `${documented}h1m`)).toThrow(`--timeout ${documented}h1m is longer than ${documented}h`);
  });
});
