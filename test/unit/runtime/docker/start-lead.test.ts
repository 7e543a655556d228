import {describe, expect, it} from 'vitest';
import {StartLead} from '../../../../src/runtime/docker/start-lead.js';

describe('StartLead (issue 13.3)', () => {
  it('is 0 before any start, then 5 ms less than the quickest of the last seven starts', () => {
    const lead = new StartLead();
    expect(lead.ms()).toBe(0);
    lead.note(90);
    expect(lead.ms()).toBe(85);
    lead.note(400); // a slow start does not move it
    lead.note(80);
    expect(lead.ms()).toBe(75);
    for (const ms of [95, 96, 97, 98, 99, 100]) lead.note(ms);
    expect(lead.ms()).toBe(75);
    lead.note(101);
    // 90, 400 and now 80 have left the window of seven: 95..101 are kept.
    expect(lead.ms()).toBe(90);
  });

  it('ignores what is not a duration', () => {
    const lead = new StartLead();
    lead.note(Number.NaN);
    lead.note(-5);
    lead.note(Number.POSITIVE_INFINITY);
    expect(lead.ms()).toBe(0);
    lead.note(3); // quicker than the margin
    expect(lead.ms()).toBe(0);
  });
});
