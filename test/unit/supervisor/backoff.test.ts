import {describe, expect, it} from 'vitest';
import {attemptAfterExit, backoffDelay, earliestDelay} from '../../../src/supervisor/backoff.js';
import {canTransition, assertTransition} from '../../../src/supervisor/unit-state.js';
import {shouldRestart} from '../../../src/supervisor/restart-policy.js';
import {exitCodeOf} from '../../../src/supervisor/exit-code.js';

describe('backoff (DESIGN 4)', () => {
  it('starts at 250ms, doubles, caps at 30s', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 20].map((a) => backoffDelay(a, mid))).toEqual([250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitters by at most 10% either way', () => {
    expect(backoffDelay(0, () => 0)).toBe(225);
    expect(backoffDelay(0, () => 0.999999)).toBe(275);
    expect(backoffDelay(3, () => 0)).toBe(1800);
    // The cap holds even with upward jitter.
    expect(backoffDelay(10, () => 0.999999)).toBe(30000);
  });

  it('resets after 30s of healthy running', () => {
    expect(attemptAfterExit(5, 1000, 1000 + 29_999)).toBe(5);
    expect(attemptAfterExit(5, 1000, 1000 + 30_000)).toBe(0);
    expect(attemptAfterExit(5, undefined, 1_000_000)).toBe(5);
  });
});

describe('earliestDelay (issue 13.3: how early a restart may be begun)', () => {
  it('is the jitter\'s low end of each delay, capped as the delay is', () => {
    expect([0, 1, 2, 3, 30].map(earliestDelay)).toEqual([225, 450, 900, 1800, 27_000]);
    for (let attempt = 0; attempt < 12; attempt++) expect(backoffDelay(attempt, () => 0)).toBe(Math.round(earliestDelay(attempt)));
  });
});

describe('unit state table', () => {
  it('allows the lifecycle paths and rejects the rest', () => {
    expect(canTransition('pending', 'starting')).toBe(true);
    expect(canTransition('running', 'backoff')).toBe(true);
    expect(canTransition('backoff', 'starting')).toBe(true);
    expect(canTransition('pending', 'running')).toBe(false);
    expect(canTransition('exited', 'running')).toBe(false);
    expect(() => assertTransition('proxy', 'failed', 'running')).toThrow(/illegal state transition failed -> running for proxy/);
  });
});

describe('restart policy', () => {
  it('follows always / on-failure / never; a signal death is a failure', () => {
    expect(shouldRestart('always', 0)).toBe(true);
    expect(shouldRestart('on-failure', 0)).toBe(false);
    expect(shouldRestart('on-failure', 137)).toBe(true);
    expect(shouldRestart('never', 1)).toBe(false);
    expect(exitCodeOf({exitCode: null, signal: 'SIGKILL'})).toBe(137);
    expect(exitCodeOf({exitCode: 3, signal: null})).toBe(3);
  });
});
