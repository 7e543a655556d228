import type {ChalkInstance} from 'chalk';
import {SidecarError} from '../errors/index.js';
import {callControl, isNotListening} from '../host/control/control-client.js';
import type {TopResult} from '../host/control/protocol.js';
import {supervisorPeer} from '../host/find-supervisor.js';
import type {ProjectFiles} from '../host/project-files.js';
import {topTable} from '../output/top-view.js';
import {requireRunningStack} from './stack-lookup.js';

export interface WatchOptions {
  intervalMs: number;
  // A terminal: redraw in place. Otherwise (a pipe, a CI log): a timestamped table per sample.
  tty: boolean;
  json: boolean;
  chalk: ChalkInstance;
  write(text: string): void;
  // Ends the watch (Ctrl-C); the watch also ends when the stack does.
  stopped: Promise<void>;
}

// `ps --watch`: every service of every pod with state, health, restarts, CPU and
// memory, refreshed each interval; light on purpose (no full-screen library):
// on a terminal the previous table is overwritten (cursor up, clear below).
export async function watchStack(files: ProjectFiles, manifestFile: string, options: WatchOptions): Promise<'stopped' | 'interrupted'> {
  const {live} = await requireRunningStack(files, manifestFile);
  const peer = {peer: supervisorPeer(live.hello.pid)};
  let previous: TopResult | undefined;
  let drawn = 0;
  let interrupted = false;
  void options.stopped.then(() => (interrupted = true));
  while (!interrupted) {
    let top: TopResult;
    try {
      top = await callControl<TopResult>(live.socket, {method: 'top'}, peer);
    } catch (error) {
      // Gone (its socket removed or closing under us): the stack was brought down.
      if (isNotListening(error) || (error instanceof SidecarError && (error.code === 'SIDECAR_NOT_RUNNING' || error.code === 'SIDECAR_NOT_RESPONDING'))) {
        options.write(options.json ? JSON.stringify({project: live.hello.project, stopped: true}) + '\n' : `${live.hello.project} stopped\n`);
        return 'stopped';
      }
      throw error;
    }
    if (options.json) options.write(JSON.stringify(top) + '\n');
    else {
      const table = topTable(top, previous, options.chalk);
      if (options.tty) {
        options.write(`${drawn > 0 ? `\u001B[${drawn}A\u001B[0J` : ''}${table}\n`);
        drawn = table.split('\n').length;
      } else options.write(`--- ${new Date(top.at).toISOString()}\n${table}\n`);
    }
    previous = top;
    // The wait ends with the watch, its timer too: nothing holds the process for the rest of a long --interval.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, options.intervalMs))), options.stopped]);
    clearTimeout(timer);
  }
  return 'interrupted';
}
