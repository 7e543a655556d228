import type {LogLine} from '../runtime/types.js';

// Lines of one service that could not be written (full disk, quota, I/O error).
export interface LogLoss {
  service: string;
  lines: number;
  bytes: number;
  // What the system said, e.g. "no space left on device (ENOSPC)".
  reason: string;
}

// What a LogStore tells its owner (the supervisor logs it once and emits an event).
export interface LogLossEvents {
  // Writing a service's log failed: its lines are dropped until a write works again.
  lossBegan(service: string, reason: string): void;
  // A write worked again; `loss` is what was dropped meanwhile.
  lossEnded(loss: LogLoss): void;
}

// "ENOSPC: no space left on device, write" -> "no space left on device (ENOSPC)".
export function describeWriteError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  if (typeof err?.code !== 'string') return error instanceof Error ? error.message : String(error);
  const text = err.message.startsWith(`${err.code}: `) ? err.message.slice(err.code.length + 2).replace(/, \w+( '.*')?$/, '') : err.message;
  return `${text} (${err.code})`;
}

// The line written into the service's log when writing works again, so that
// `logs` shows where lines are missing (journald's "Suppressed N messages").
export function lossNote(loss: LogLoss, time: number): LogLine {
  const what = `${loss.lines} ${loss.lines === 1 ? 'line' : 'lines'} (${loss.bytes} bytes) of this service's output ${loss.lines === 1 ? 'was' : 'were'} dropped`;
  return {service: loss.service, stream: 'stderr', time, line: `[sidecar] ${what}: ${loss.reason}`};
}
