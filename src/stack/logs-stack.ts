import {readLogs, type LogQuery} from '../logs/log-reader.js';
import type {LogLine} from '../runtime/types.js';
import type {ProjectFiles} from '../host/project-files.js';
import {lookUpStack} from './stack-lookup.js';
import {streamFromStack} from './stack-stream.js';

// `logs`: from the supervisor when one runs (past lines then live ones, nothing
// lost between them); otherwise straight from `.sidecar/logs/`. Without a stack
// nothing new can come, so `-f` prints the past and ends (a CI step must not hang
// on it, as `docker logs -f` of a stopped container ends); the answer says whether
// a stack was there, for the command's note.
// `query.services` are the user's words (`orders`, `orders/proxy`, `egress`);
// the answer names the service ids they stood for. `stop` ends a live stream early.
export async function streamLogs(files: ProjectFiles, manifestFile: string, query: LogQuery & {follow: boolean}, onLines: (lines: LogLine[], ids: string[]) => void, stop?: AbortSignal): Promise<{live: boolean; ids: string[]}> {
  const {live, ids} = await lookUpStack(files, manifestFile, query.services);
  if (live) {
    await streamFromStack(
      files,
      live.socket,
      {method: 'logs', services: ids, follow: query.follow, ...(query.tail !== undefined ? {tail: query.tail} : {}), ...(query.since !== undefined ? {since: query.since} : {})},
      (data) => onLines(data as LogLine[], ids),
      stop,
    );
    return {live: true, ids};
  }
  const past = readLogs(files.logs, {...query, services: ids});
  if (past.length > 0) onLines(past, ids);
  return {live: false, ids};
}
