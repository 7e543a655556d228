import type {ChalkInstance} from 'chalk';
import type {LogLine} from '../runtime/types.js';
import {sanitizeForTerminal} from './sanitize-terminal.js';

const PALETTE = ['cyan', 'yellow', 'green', 'magenta', 'blue', 'redBright', 'cyanBright', 'yellowBright', 'greenBright', 'magentaBright'] as const;

// A service keeps its colour for the whole session and across runs: it is picked
// from a hash of the name, not from the order lines arrive in.
export function colorIndex(name: string): number {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  return hash % PALETTE.length;
}

// Compose-style multiplexed output: `proxy   | text`, names padded to one width.
export class LogPrefixer {
  private readonly width: number;
  private readonly prefixes = new Map<string, string>();

  constructor(
    services: string[],
    private readonly chalk: ChalkInstance,
    private readonly timestamps = false,
  ) {
    this.width = Math.max(0, ...services.map((s) => s.length));
  }

  format(line: LogLine): string {
    let prefix = this.prefixes.get(line.service);
    if (prefix === undefined) {
      const color = this.chalk[PALETTE[colorIndex(line.service)]!];
      prefix = color(`${sanitizeForTerminal(line.service).padEnd(this.width)} |`) + ' ';
      this.prefixes.set(line.service, prefix);
    }
    const time = this.timestamps && line.time > 0 ? this.chalk.dim(new Date(line.time).toISOString()) + ' ' : '';
    // Service output may keep its colours, nothing else that would drive the terminal.
    return `${prefix}${time}${sanitizeForTerminal(line.line, {keepColors: true})}\n`;
  }
}
