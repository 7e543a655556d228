import type {Clock, TimerHandle} from '../../src/time/clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

// A clock that only moves when told; advance() runs due timers in order and lets
// promise callbacks settle between them, so async code under test keeps up.
export class FakeClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = {id: this.nextId++, at: this.time + Math.max(0, ms), fn};
    this.timers.push(timer);
    return {id: timer.id};
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as {id: number}).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  pending(): number {
    return this.timers.length;
  }

  // Time that passes inside synchronous work (a spawn): no timer fires meanwhile.
  elapse(ms: number): void {
    this.time += ms;
  }

  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await flush();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
      await flush();
    }
    this.time = until;
    await flush();
  }
}

// Lets queued microtasks and immediate callbacks run.
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
