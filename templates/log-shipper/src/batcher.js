import {setTimeout as sleep} from 'node:timers/promises';

// Collects records and ships them in batches: when BATCH_SIZE are waiting, or
// BATCH_INTERVAL_MS after the oldest one arrived, whichever comes first.
// A failed send is retried with capped exponential backoff, forever while
// running (lines must not be dropped), until the grace deadline when stopping.
// Only one batch is in flight, so acknowledgements arrive in file order.
export class Batcher {
  constructor({sink, batchSize, intervalMs, retryBaseMs, retryMaxMs, onAck, onError}) {
    Object.assign(this, {sink, batchSize, intervalMs, retryBaseMs, retryMaxMs, onAck, onError});
    this.pending = [];
    this.oldestAt = 0;
    this.timer = undefined;
    this.flushing = undefined;
    this.stopping = new AbortController();
    this.closed = false;
  }

  get size() {
    return this.pending.length;
  }

  add(items) {
    if (items.length === 0) return;
    if (this.pending.length === 0) this.oldestAt = Date.now();
    this.pending.push(...items);
    this.schedule();
  }

  schedule() {
    if (this.closed || this.flushing || this.pending.length === 0) return;
    clearTimeout(this.timer);
    const due = this.pending.length >= this.batchSize ? 0 : this.oldestAt + this.intervalMs - Date.now();
    this.timer = setTimeout(() => this.flush().catch((error) => this.onError(error, 0)), Math.max(0, due));
  }

  flush() {
    this.flushing ??= this.shipOne().finally(() => {
      this.flushing = undefined;
      this.schedule();
    });
    return this.flushing;
  }

  async shipOne() {
    const batch = this.pending.slice(0, this.batchSize);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.sink.send(batch.map((item) => item.record));
        break;
      } catch (error) {
        this.onError(error, attempt);
        const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempt - 1));
        // Aborted while stopping: give up; the offset file still points before this batch.
        await sleep(delay, undefined, {signal: this.stopping.signal});
      }
    }
    this.pending.splice(0, batch.length);
    if (this.pending.length > 0) this.oldestAt = Date.now();
    try {
      await this.onAck(batch);
    } catch (error) {
      // Shipped but not recorded: those lines may be shipped again after a restart.
      this.onError(error, 0);
    }
  }

  // Ship what is left, for at most `graceMs`; what could not be shipped is
  // re-read from the offset file at the next start.
  async stop(graceMs) {
    this.closed = true;
    clearTimeout(this.timer);
    const deadline = setTimeout(() => this.stopping.abort(), graceMs);
    try {
      while (this.pending.length > 0 && !this.stopping.signal.aborted) await this.flush();
    } catch (error) {
      if (error.name !== 'AbortError') throw error;
    } finally {
      clearTimeout(deadline);
      this.stopping.abort();
    }
  }
}
