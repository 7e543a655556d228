import {describe, expect, it} from 'vitest';
import {updateSummary} from '../../../src/output/update-summary.js';

// What `up` says of a stack that was already running.
describe('updateSummary', () => {
  it('names what was started, recreated and left as it was', () => {
    expect(updateSummary('shop', 42, {started: ['cache'], recreated: ['app'], unchanged: ['proxy', 'tailer']})).toBe('shop: started cache; recreated app; unchanged proxy, tailer');
  });

  // Found by a new user's trial: "b1: recreated app; unchanged none".
  it('leaves out a part with nothing in it', () => {
    expect(updateSummary('b1', 42, {started: [], recreated: ['app'], unchanged: []})).toBe('b1: recreated app');
  });

  it('says up to date when nothing changed', () => {
    expect(updateSummary('b1', 42, {started: [], recreated: [], unchanged: ['app']})).toBe('b1 is up to date (supervisor pid 42)');
  });
});
