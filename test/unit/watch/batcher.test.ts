import {describe, expect, it} from 'vitest';
import {mergeActions, WatchBatcher, type WatchJob} from '../../../src/watch/batcher.js';
import type {WatchAction} from '../../../src/manifest/types.js';
import {FakeClock} from '../../helpers/fake-clock.js';

// Issue 11.3: batched until 100 ms of quiet, one action per service per batch,
// never two at once for one service (a change during an action queues one more).
function setup() {
  const clock = new FakeClock();
  const jobs: WatchJob[] = [];
  const log: string[] = [];
  const gates: (() => void)[] = [];
  let hold = false;
  const batcher = new WatchBatcher({
    clock,
    run: async (job) => {
      jobs.push(job);
      log.push(`start ${job.service}`);
      if (hold) await new Promise<void>((resolve) => gates.push(resolve));
      log.push(`end ${job.service}`);
    },
  });
  return {clock, jobs, log, batcher, holdActions: (on: boolean) => (hold = on), release: () => gates.shift()?.()};
}

describe('WatchBatcher (issue 11.3)', () => {
  it('waits for 100 ms of quiet: changes 50 ms apart for a second stay one batch', async () => {
    const {clock, jobs, batcher} = setup();
    for (let i = 0; i < 20; i++) {
      batcher.change('app', 'restart', `/p/src/f${i}.js`, 'change');
      await clock.advance(50);
    }
    expect(jobs).toHaveLength(0);
    await clock.advance(60);
    expect(jobs).toEqual([{service: 'app', action: 'restart', changed: Array.from({length: 20}, (_, i) => `/p/src/f${i}.js`).sort(), deleted: []}]);
  });

  it('makes a burst of 200 files one action, files counted once', async () => {
    const {clock, jobs, batcher} = setup();
    for (let i = 0; i < 200; i++) batcher.change('app', 'restart', `/p/f${i % 150}`, 'change');
    await clock.advance(100);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.changed).toHaveLength(150);
  });

  it('gives each service its own action in one batch', async () => {
    const {clock, jobs, batcher} = setup();
    batcher.change('app', 'restart', '/p/src/a.js', 'change');
    batcher.change('proxy', 'restart', '/p/proxy.conf', 'change');
    await clock.advance(100);
    expect(jobs.map((j) => j.service).sort()).toEqual(['app', 'proxy']);
  });

  it('never runs two actions at once for one service: a change during one queues exactly one more', async () => {
    const {clock, jobs, log, batcher, holdActions, release} = setup();
    holdActions(true);
    batcher.change('app', 'restart', '/p/a', 'change');
    await clock.advance(100);
    expect(log).toEqual(['start app']);
    batcher.change('app', 'restart', '/p/b', 'change');
    await clock.advance(100);
    batcher.change('app', 'restart', '/p/c', 'change');
    await clock.advance(100);
    expect(log).toEqual(['start app']);
    release();
    await clock.advance(0);
    expect(log).toEqual(['start app', 'end app', 'start app']);
    expect(jobs[1]!.changed).toEqual(['/p/b', '/p/c']);
    release();
    await clock.advance(0);
    await batcher.whenIdle();
    expect(log).toEqual(['start app', 'end app', 'start app', 'end app']);
    expect(batcher.idle()).toBe(true);
  });

  it('drops a file added then removed in one batch (an editor\'s temp file), and a batch of only those', async () => {
    const {clock, jobs, batcher} = setup();
    batcher.change('app', 'restart', '/p/.x.js.swp', 'add');
    batcher.change('app', 'restart', '/p/.x.js.swp', 'unlink');
    await clock.advance(100);
    expect(jobs).toHaveLength(0);
    batcher.change('app', 'restart', '/p/x.js.tmp123', 'add');
    batcher.change('app', 'restart', '/p/x.js.tmp123', 'unlink');
    batcher.change('app', 'restart', '/p/x.js', 'change');
    batcher.change('app', 'restart', '/p/old.js', 'unlink');
    await clock.advance(100);
    expect(jobs).toEqual([{service: 'app', action: 'restart', changed: ['/p/x.js'], deleted: ['/p/old.js']}]);
  });

  it('stop() drops what is pending and runs nothing more', async () => {
    const {clock, jobs, batcher} = setup();
    batcher.change('app', 'restart', '/p/a', 'change');
    await batcher.stop();
    await clock.advance(500);
    batcher.change('app', 'restart', '/p/b', 'change');
    await clock.advance(500);
    expect(jobs).toHaveLength(0);
    expect(clock.pending()).toBe(0);
  });

  const MERGE: [WatchAction[], WatchAction | undefined][] = [
    [['restart'], 'restart'],
    [['sync'], 'sync'],
    [['sync', 'restart'], 'sync+restart'],
    [['sync+restart', 'sync'], 'sync+restart'],
    [['restart', 'rebuild', 'sync'], 'rebuild'],
    [[], undefined],
  ];
  for (const [actions, expected] of MERGE) {
    it(`merges [${actions.join(', ')}] into ${String(expected)}`, () => {
      expect(mergeActions(actions)).toBe(expected);
    });
  }
});
