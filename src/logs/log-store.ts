import path from 'node:path';
import type {LogLine} from '../runtime/types.js';
import {ensureRealDir} from '../runtime/safe-state-dir.js';
import {formatLogLine} from './log-format.js';
import {describeWriteError, lossNote, type LogLoss, type LogLossEvents} from './log-loss.js';
import {defaultRotation, LogWriteError, RotatingFile, type RotationPolicy} from './rotating-file.js';

const FLUSH_BYTES = 64 * 1024;

// A service's lines waiting for the next write, and when the first of them was read.
interface Pending {
  chunks: string[];
  bytes: number;
  firstTime: number;
}
const RECENT_LINES = 20;

// `.sidecar/logs/<service>.log` (`logs/<pod>/<service>.log` for a service of the
// pods form, whose id is `POD/SERVICE`): every line a service printed, batched into few
// large writes (a flood of 200k lines/s must not cost a syscall per line), plus
// the last lines of each service in memory for failure reports. A write that
// fails (full disk: issue 9 point 6) never reaches the caller: those lines are
// dropped and counted, and the next flush tries again, first writing a note of
// the loss, as journald and Docker's json-file driver keep a service running.
export class LogStore {
  private readonly files = new Map<string, RotatingFile>();
  private readonly pending = new Map<string, Pending>();
  private readonly recent = new Map<string, string[]>();
  // The loss in progress per service (writes failing now), and all lines ever dropped.
  private readonly losses = new Map<string, LogLoss>();
  private readonly droppedLines = new Map<string, number>();
  private flushScheduled = false;

  constructor(
    readonly dir: string,
    private readonly policy: RotationPolicy = defaultRotation,
    private readonly events?: LogLossEvents,
  ) {}

  // A service id is a bare name or `POD/SERVICE` (both [a-z0-9-] words, checked
  // when the manifest loads), so the file is one or two levels under `dir`.
  static fileOf(dir: string, service: string): string {
    return path.join(dir, `${service}.log`);
  }

  write(line: LogLine): void {
    let pending = this.pending.get(line.service);
    if (!pending) {
      pending = {chunks: [], bytes: 0, firstTime: line.time};
      this.pending.set(line.service, pending);
    }
    const text = formatLogLine(line);
    if (pending.chunks.length === 0) pending.firstTime = line.time;
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

  // Lines of this service that could not be written since the store opened.
  dropped(service: string): number {
    return this.droppedLines.get(service) ?? 0;
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
    for (const file of this.files.values()) {
      try {
        file.close();
      } catch {
        // Nothing more can be done for a file that fails to close.
      }
    }
    this.files.clear();
  }

  private flushService(service: string, pending: Pending): void {
    if (pending.chunks.length === 0) return;
    const chunk = pending.chunks.join('');
    pending.chunks = [];
    pending.bytes = 0;
    const loss = this.losses.get(service);
    // Readers order lines by time: the note is dated no later than the first line
    // it stands before, which was read before this flush (long before, under load).
    const note = loss ? formatLogLine(lossNote(loss, Math.min(Date.now(), pending.firstTime))) : '';
    const text = note + chunk;
    try {
      let file = this.files.get(service);
      if (!file) {
        // The pod's directory is made (or checked) without following a link (issue 9.7).
        const pod = service.includes('/') ? service.slice(0, service.indexOf('/')) : undefined;
        if (pod !== undefined) ensureRealDir(this.dir, [pod]);
        file = new RotatingFile(LogStore.fileOf(this.dir, service), this.policy);
        this.files.set(service, file);
      }
      // Rotation happens between chunks, so keep chunks well under the rotation size.
      file.write(text);
    } catch (error) {
      const unwritten = error instanceof LogWriteError ? error.unwritten : text;
      const noteWritten = loss !== undefined && text.length - unwritten.length >= note.length;
      if (noteWritten) this.endLoss(loss);
      // Pieces are written whole, so the note is either all in the file or all in `unwritten`.
      const lost = loss && !noteWritten ? unwritten.slice(note.length) : unwritten;
      this.drop(service, lost, describeWriteError(error instanceof LogWriteError ? error.cause : error));
      return;
    }
    if (loss) this.endLoss(loss);
  }

  private drop(service: string, text: string, reason: string): void {
    let lines = 0;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
    this.droppedLines.set(service, this.dropped(service) + lines);
    let loss = this.losses.get(service);
    if (!loss) {
      loss = {service, lines: 0, bytes: 0, reason};
      this.losses.set(service, loss);
      this.events?.lossBegan(service, reason);
    }
    loss.lines += lines;
    loss.bytes += Buffer.byteLength(text);
  }

  private endLoss(loss: LogLoss): void {
    this.losses.delete(loss.service);
    this.events?.lossEnded(loss);
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
