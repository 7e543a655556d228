import {readLogs, servicesWithLogs, type LogQuery} from '../logs/log-reader.js';
import type {LogLine} from '../runtime/types.js';
import {followFiles} from './follow-files.js';
import type {ProjectFiles} from '../host/project-files.js';
import {lookUpStack} from './stack-lookup.js';
import {streamFromStack} from './stack-stream.js';

// `logs`: from the supervisor when one runs (past lines then live ones, nothing
// lost between them); otherwise straight from `.sidecar/logs/`.
export async function streamLogs(files: ProjectFiles, manifestFile: string, query: LogQuery & {follow: boolean}, onLines: (lines: LogLine[]) => void): Promise<void> {
  const live = await lookUpStack(files, manifestFile, query.services);
  if (live) {
    await streamFromStack(
      files,
      live.socket,
      {method: 'logs', services: query.services, follow: query.follow, ...(query.tail !== undefined ? {tail: query.tail} : {}), ...(query.since !== undefined ? {since: query.since} : {})},
      (data) => onLines(data as LogLine[]),
    );
    return;
  }
  const past = readLogs(files.logs, query);
  if (past.length > 0) onLines(past);
  if (query.follow) await followFiles(files.logs, query.services.length > 0 ? query.services : servicesWithLogs(files.logs), onLines);
}
