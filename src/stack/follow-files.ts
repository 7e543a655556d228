import {closeSync, openSync, readSync, statSync} from 'node:fs';
import {parseLogLine} from '../logs/log-format.js';
import {LogStore} from '../logs/log-store.js';
import type {LogLine} from '../runtime/types.js';

const POLL_MS = 200;

// `logs -f` with no supervisor to stream from (e.g. a foreground `up` of another
// tool version, or files copied from CI): poll the files for appended lines,
// starting over when a file shrank (rotated). Runs until the process is stopped.
export function followFiles(dir: string, services: string[], onLines: (lines: LogLine[]) => void): Promise<never> {
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  for (const service of services) offsets.set(service, sizeOf(LogStore.fileOf(dir, service)));
  return new Promise<never>(() => {
    setInterval(() => {
      const lines: LogLine[] = [];
      for (const service of services) {
        const file = LogStore.fileOf(dir, service);
        const size = sizeOf(file);
        let offset = offsets.get(service) ?? 0;
        if (size < offset) offset = 0;
        if (size === offset) continue;
        const buffer = Buffer.alloc(size - offset);
        const fd = openSync(file, 'r');
        try {
          readSync(fd, buffer, 0, buffer.length, offset);
        } finally {
          closeSync(fd);
        }
        offsets.set(service, size);
        const text = (partial.get(service) ?? '') + buffer.toString('utf8');
        const parts = text.split('\n');
        partial.set(service, parts.pop() ?? '');
        for (const raw of parts) lines.push(parseLogLine(service, raw));
      }
      if (lines.length > 0) onLines(lines);
    }, POLL_MS);
  });
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
