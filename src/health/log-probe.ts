import type {LogCheck} from '../manifest/types.js';
import {ProbeError, type Probe} from './probe.js';

export type LogSubscribe = (onLine: (line: string) => void) => () => void;

// Passes once a line of this run's output matched (testcontainers' log wait strategy).
export class LogProbe implements Probe {
  readonly description: string;
  private readonly pattern: RegExp;
  private matched = false;
  private readonly unsubscribe: () => void;

  constructor(check: LogCheck, subscribe: LogSubscribe) {
    this.description = `log /${check.pattern}/`;
    this.pattern = new RegExp(check.pattern);
    this.unsubscribe = subscribe((line) => {
      if (!this.matched && this.pattern.test(line)) this.matched = true;
    });
  }

  async check(): Promise<void> {
    if (!this.matched) throw new ProbeError(`${this.description}: no matching line yet`);
  }

  dispose(): void {
    this.unsubscribe();
  }
}
