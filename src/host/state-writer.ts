import {describeWriteError} from '../logs/log-loss.js';
import {supervisorNote} from '../logs/supervisor-note.js';
import {writeJsonAtomic, type StateRecord} from './state-file.js';

// state.json, written from a snapshot of the stack: at once (`now`), or once after
// the current turn of the event loop (`soon`), so that the transitions of one step
// (a restart: stopping, exit, exited, starting...) are written together and stopping
// and starting a unit do not wait for the disk in between (issue 11.7). A full disk
// must not take the stack down (issue 9 point 6): it is said once and tried again
// every second until a write succeeds.
export class StateWriter {
  private retry?: NodeJS.Timeout;
  private pending?: NodeJS.Immediate;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StateRecord,
  ) {}

  private closed = false;

  soon(): void {
    if (this.pending || this.closed) return;
    this.pending = setImmediate(() => {
      this.pending = undefined;
      this.now();
    });
  }

  now(): void {
    if (this.closed) return;
    try {
      writeJsonAtomic(this.file, this.snapshot());
    } catch (error) {
      if (!this.retry) supervisorNote(`state.json could not be written (${describeWriteError(error)}); retrying every second`);
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        this.now();
      }, 1000).unref();
      return;
    }
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = undefined;
      supervisorNote('state.json written again');
    }
  }

  // The last write is done: nothing pending or retried may write state.json after
  // this (a `down` removes it next, src/host/supervisor-main.ts).
  close(): void {
    this.closed = true;
    if (this.pending) clearImmediate(this.pending);
    if (this.retry) clearTimeout(this.retry);
    this.pending = undefined;
    this.retry = undefined;
  }
}
