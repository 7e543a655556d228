import {LogPrefixer} from '../output/log-prefixer.js';
import {stdoutChalk} from '../output/stdout-colors.js';
import {stdoutClosed} from '../output/stdout-closed.js';
import type {LogLine} from '../runtime/types.js';

// Writes prefixed lines to stdout in batches (one write per tick, not per line),
// holding them back while a progress view owns the terminal. When the reader of
// stdout goes (`sidecar up | head`), the stack runs on (stopping it because a pipe
// closed would surprise) and its lines are dropped, said once on stderr.
export class LogPrinter {
  private readonly prefixer: LogPrefixer;
  private pending: string[] = [];
  private scheduled = false;
  private held = true;
  private readonly heldLimit = 2000;
  private readonly closed = stdoutClosed();

  constructor(services: string[], timestamps = false) {
    this.prefixer = new LogPrefixer(services, stdoutChalk(), timestamps);
    this.closed.addEventListener('abort', () => {
      this.pending = [];
      process.stderr.write('stdout was closed: the logs are no longer shown here (`sidecar logs -f` shows them); Ctrl-C stops the stack\n');
    });
  }

  push(line: LogLine): void {
    if (this.closed.aborted) return;
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
    if (this.pending.length === 0 || this.closed.aborted) return;
    process.stdout.write(this.pending.join(''));
    this.pending = [];
  }
}
