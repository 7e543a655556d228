import {describe, expect, it} from 'vitest';
import {durationOption} from '../../../src/commands/duration-option.js';
import {SidecarError} from '../../../src/errors/index.js';
import {failureError} from '../../../src/host/start-failure.js';
import {eventLine} from '../../../src/output/event-line.js';

// Small findings of the wave's tester, on the pure formatting they came from.
describe('tester small findings', () => {
  it('an events line without a `from` reads as the state reached, not "? -> ready"', () => {
    const line = eventLine({time: Date.UTC(2025, 0, 2), service: 'tb', type: 'stack', to: 'ready'});
    expect(line).toBe('2025-01-02T00:00:00.000Z tb stack ready');
    expect(eventLine({time: 0, service: 'proxy', type: 'state', from: 'starting', to: 'running'})).toContain('proxy state starting -> running');
  });

  it('one log line is "last log line", not "last 1 log lines"', () => {
    const one = failureError({service: 'app', message: 'exited with code 1', lastLines: ['boom']} as Parameters<typeof failureError>[0]);
    expect(one.message).toContain('last log line of app:');
    expect(one.message).not.toContain('last 1 log lines');
    const two = failureError({service: 'app', message: 'exited with code 1', lastLines: ['a', 'b']} as Parameters<typeof failureError>[0]);
    expect(two.message).toContain('last 2 log lines of app:');
  });

  it('a --timeout beyond any timer says the allowed range, not "is not a duration"', () => {
    let error: unknown;
    try {
      durationOption('timeout', '1000h');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SidecarError);
    const usage = error as SidecarError;
    expect(usage.code).toBe('SIDECAR_USAGE');
    expect(usage.message).not.toContain('is not a duration');
    expect(usage.message).toContain('--timeout 1000h is longer than');
    expect(usage.suggestion).toMatch(/from 0s to \d+/);
    expect(() => durationOption('timeout', 'soon')).toThrow(/is not a duration/);
    expect(durationOption('timeout', '24h')).toBe(86_400_000);
  });
});
