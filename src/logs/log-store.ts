import path from 'node:path';
import type {LogLine} from '../runtime/types.js';
import {formatLogLine} from './log-format.js';
import {defaultRotation, RotatingFile, type RotationPolicy} from './rotating-file.js';

const FLUSH_BYTES = 64 * 1024;
const RECENT_LINES = 20;

// `.sidecar/logs/<service>.log`: every line a service printed, batched into few
// large writes (a flood of 200k lines/s must not cost a syscall per line), plus
// the last lines of each service in memory for failure reports.
export class LogStore {
  private readonly files = new Map<string, RotatingFile>();
  private readonly pending = new Map<string, {chunks: string[]; bytes: number}>();
  private readonly recent = new Map<string, string[]>();
  private flushScheduled = false;

  constructor(
    readonly dir: string,
    private readonly policy: RotationPolicy = defaultRotation,
  ) {}

  static fileOf(dir: string, service: string): string {
    return path.join(dir, `${service}.log`);
  }

  write(line: LogLine): void {
    let pending = this.pending.get(line.service);
    if (!pending) {
      pending = {chunks: [], bytes: 0};
      this.pending.set(line.service, pending);
    }
    const text = formatLogLine(line);
    pending.chunks.push(text);
    pending.bytes += text.length;
    this.remember(line);
    if (pending.bytes >= FLUSH_BYTES) this.flushService(line.service, pending);
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  // Where a service's log stands (see RotatingFile.position); undefined before its first line.
  position(service: string): ReturnType<RotatingFile['position']> | undefined {
    return this.files.get(service)?.position();
  }

  // The last lines a service printed (for the `--wait` failure block).
  recentLines(service: string): string[] {
    return [...(this.recent.get(service) ?? [])];
  }

  flush(): void {
    this.flushScheduled = false;
    for (const [service, pending] of this.pending) this.flushService(service, pending);
  }

  close(): void {
    this.flush();
    for (const file of this.files.values()) file.close();
    this.files.clear();
  }

  private flushService(service: string, pending: {chunks: string[]; bytes: number}): void {
    if (pending.chunks.length === 0) return;
    let file = this.files.get(service);
    if (!file) {
      file = new RotatingFile(LogStore.fileOf(this.dir, service), this.policy);
      this.files.set(service, file);
    }
    const chunk = pending.chunks.join('');
    pending.chunks = [];
    pending.bytes = 0;
    // Rotation happens between chunks, so keep chunks well under the rotation size.
    file.write(chunk);
  }

  private remember(line: LogLine): void {
    let lines = this.recent.get(line.service);
    if (!lines) {
      lines = [];
      this.recent.set(line.service, lines);
    }
    lines.push(line.line);
    if (lines.length > RECENT_LINES) lines.shift();
  }
}
