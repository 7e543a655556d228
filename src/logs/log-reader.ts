import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import type {LogLine} from '../runtime/types.js';
import {parseLogLine} from './log-format.js';
import {LogStore} from './log-store.js';
import {defaultRotation, rotatedNames} from './rotating-file.js';

export interface LogQuery {
  // Empty: every service that has a log file.
  services: string[];
  // Last N lines per service.
  tail?: number;
  // Only lines at or after this epoch ms.
  since?: number;
}

// Services (ids) with a log file in the directory, in name order: `x.log` is
// service x, `pod/x.log` is service `pod/x` of the pods form. Links are not followed.
export function servicesWithLogs(dir: string): string[] {
  if (!exists(dir)) return [];
  const ids: string[] = [];
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    if (entry.isFile() && entry.name.endsWith('.log')) ids.push(entry.name.slice(0, -'.log'.length));
    if (!entry.isDirectory()) continue;
    for (const inner of readdirSync(path.join(dir, entry.name), {withFileTypes: true})) {
      if (inner.isFile() && inner.name.endsWith('.log')) ids.push(`${entry.name}/${inner.name.slice(0, -'.log'.length)}`);
    }
  }
  return ids.sort();
}

// One service's lines, oldest first, read from the current and rotated files
// newest-first so that `--tail N` stops as soon as it has N lines.
export function readServiceLogs(dir: string, service: string, query: Omit<LogQuery, 'services'>): LogLine[] {
  const newestFirst: LogLine[][] = [];
  let count = 0;
  for (const file of rotatedNames(LogStore.fileOf(dir, service), defaultRotation.keep + 2)) {
    if (!exists(file)) break;
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let parsed = lines.map((raw) => parseLogLine(service, raw));
    if (query.since !== undefined) parsed = parsed.filter((line) => line.time >= query.since!);
    newestFirst.push(parsed);
    count += parsed.length;
    if (query.tail !== undefined && count >= query.tail) break;
  }
  const all = newestFirst.reverse().flat();
  return query.tail === undefined ? all : all.slice(Math.max(0, all.length - query.tail));
}

// Several services merged by time; lines of one service keep their order.
export function readLogs(dir: string, query: LogQuery): LogLine[] {
  const services = query.services.length > 0 ? query.services : servicesWithLogs(dir);
  const perService = services.map((service) => readServiceLogs(dir, service, query));
  return mergeByTime(perService);
}

export function mergeByTime(lists: LogLine[][]): LogLine[] {
  const tagged = lists.flatMap((list, which) => list.map((line, index) => ({line, which, index})));
  tagged.sort((a, b) => a.line.time - b.line.time || a.which - b.which || a.index - b.index);
  return tagged.map((entry) => entry.line);
}

// Like existsSync, but a path we may not look at is an error naming it (issue 9.12):
// "no log lines" would be a lie to a user who cannot read another's project.
function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}
