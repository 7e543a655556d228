import {LogPrefixer} from '../output/log-prefixer.js';
import {stdoutChalk} from '../output/stdout-colors.js';
import type {LogLine} from '../runtime/types.js';

// Writes prefixed lines to stdout in batches (one write per tick, not per line),
// holding them back while a progress view owns the terminal.
export class LogPrinter {
  private readonly prefixer: LogPrefixer;
  private pending: string[] = [];
  private scheduled = false;
  private held = true;
  private readonly heldLimit = 2000;

  constructor(services: string[], timestamps = false) {
    this.prefixer = new LogPrefixer(services, stdoutChalk(), timestamps);
  }

  push(line: LogLine): void {
    this.pending.push(this.prefixer.format(line));
    // While held (progress on screen) keep only the latest lines: a flood must not grow memory.
    if (this.held) {
      if (this.pending.length > this.heldLimit) this.pending.splice(0, this.pending.length - this.heldLimit);
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  release(): void {
    this.held = false;
    this.flush();
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    process.stdout.write(this.pending.join(''));
    this.pending = [];
  }
}
