import type {LogCheck} from '../manifest/types.js';
import {CONTINUED_MARKER} from '../runtime/line-splitter.js';
import {ProbeError, type Probe} from './probe.js';
import {compileUserRegex, type UserRegex} from '../manifest/user-regex.js';

export type LogSubscribe = (onLine: (line: string) => void) => () => void;

// The longest line a log probe matches whole; beyond it, the line's first
// MAX_MATCHED_CHARS are matched. Bounds the memory a never-ending line can take.
export const MAX_MATCHED_CHARS = 1024 * 1024;

// Passes once a line of this run's output matched (testcontainers' log wait strategy).
// A long line arrives cut into pieces that end in CONTINUED_MARKER; the pieces are
// joined back so the pattern sees what the service printed, never the marker.
export class LogProbe implements Probe {
  readonly description: string;
  readonly cheap = true;
  private readonly pattern: UserRegex;
  private matched = false;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly unsubscribe: () => void;

  constructor(check: LogCheck, subscribe: LogSubscribe) {
    this.description = `log /${check.pattern}/`;
    this.pattern = compileUserRegex(check.pattern);
    this.unsubscribe = subscribe((line) => this.onLine(line));
  }

  async check(): Promise<void> {
    if (!this.matched) throw new ProbeError(`${this.description}: no matching line yet`);
  }

  dispose(): void {
    this.unsubscribe();
    this.pending = [];
  }

  private onLine(piece: string): void {
    if (this.matched) return;
    const continued = piece.endsWith(CONTINUED_MARKER);
    const text = continued ? piece.slice(0, -CONTINUED_MARKER.length) : piece;
    if (this.pendingChars < MAX_MATCHED_CHARS) {
      const kept = text.slice(0, MAX_MATCHED_CHARS - this.pendingChars);
      this.pending.push(kept);
      this.pendingChars += kept.length;
    }
    if (continued) return;
    const line = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    if (this.pattern.test(line)) this.matched = true;
  }
}
