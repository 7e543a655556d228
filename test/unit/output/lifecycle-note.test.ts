import {describe, expect, it} from 'vitest';
import {lifecycleNote} from '../../../src/output/lifecycle-note.js';
import type {LifecycleEvent} from '../../../src/supervisor/types.js';

const at = (event: Omit<LifecycleEvent, 'time' | 'service'>): LifecycleEvent => ({time: 0, service: 'proxy', ...event});

describe('lifecycleNote', () => {
  it.each<[Omit<LifecycleEvent, 'time' | 'service'>, string | undefined]>([
    [{type: 'restart', detail: 'restart 2 in 1234ms (exited with code 1)'}, 'exited with code 1; restarting in 1.2s (restart 2)'],
    [{type: 'restart', detail: 'restart 1 in 250ms (unhealthy: liveness: http 500)'}, 'unhealthy: liveness: http 500; restarting in 250ms (restart 1)'],
    [{type: 'restart', detail: 'soon'}, 'restarting: soon'],
    [{type: 'state', from: 'backoff', to: 'failed', detail: 'exited with code 1; gave up after 5 restarts (maxRestarts 5)'}, 'failed: exited with code 1; gave up after 5 restarts (maxRestarts 5)'],
    [{type: 'state', from: 'running', to: 'exited', detail: 'exit code 4'}, 'exited with code 4'],
    // Teardown and the events an outcome already names are not said.
    [{type: 'state', from: 'stopping', to: 'exited', detail: 'exit code 143'}, undefined],
    [{type: 'state', from: 'stopping', to: 'exited', detail: 'stopped by SIGTERM'}, undefined],
    [{type: 'state', from: 'running', to: 'exited'}, undefined],
    [{type: 'state', from: 'backoff', to: 'exited', detail: 'restart cancelled'}, undefined],
    [{type: 'exit', detail: 'exit code 1'}, undefined],
    [{type: 'oom', detail: 'killed for exceeding its memory limit (exit code 137)'}, undefined],
    [{type: 'health', from: 'healthy', to: 'unhealthy', detail: 'exit code 1'}, undefined],
  ])('%o -> %s', (event, note) => {
    expect(lifecycleNote(at(event))).toBe(note);
  });
});
