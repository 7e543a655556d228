import type {LogLine} from '../runtime/types.js';

// One line per log line in `.sidecar/logs/<service>.log`:
// `2025-01-02T03:04:05.678Z o text` (o = stdout, e = stderr). Plain text so that
// `tail -f` and grep work on it too; the time makes `--since` and `--timestamps` work.
const ISO_LENGTH = 24;

let lastTime = -1;
let lastIso = '';

// Formatting a million lines a second: the ISO string is cached per millisecond.
export function formatLogLine(line: LogLine): string {
  if (line.time !== lastTime) {
    lastTime = line.time;
    lastIso = new Date(line.time).toISOString();
  }
  return `${lastIso} ${line.stream === 'stderr' ? 'e' : 'o'} ${line.line}\n`;
}

// Inverse of formatLogLine; a line not in that shape (hand-edited file) is kept as stdout text.
export function parseLogLine(service: string, text: string): LogLine {
  if (text.length > ISO_LENGTH + 2 && text[ISO_LENGTH] === ' ' && text[ISO_LENGTH + 2] === ' ') {
    const time = Date.parse(text.slice(0, ISO_LENGTH));
    const flag = text[ISO_LENGTH + 1];
    if (!Number.isNaN(time) && (flag === 'o' || flag === 'e')) {
      return {service, stream: flag === 'e' ? 'stderr' : 'stdout', time, line: text.slice(ISO_LENGTH + 3)};
    }
  }
  return {service, stream: 'stdout', time: 0, line: text};
}
