import {watch, type FSWatcher} from 'chokidar';
import path from 'node:path';
import {allServices, type Manifest} from '../manifest/types.js';
import type {LifecycleEvent} from '../supervisor/types.js';
import {realClock, type Clock} from '../time/clock.js';
import {WatchBatcher, type FileEvent, type WatchJob} from './batcher.js';
import {WatchFilter} from './file-filter.js';

export interface WatchHooks {
  // Restart one service through the lifecycle (Stack.restart: the others untouched,
  // not a crash: no backoff, not counted in `restarts`).
  restart(id: string): Promise<void>;
  // One event per action (`events`), and one line for the user.
  event(event: LifecycleEvent): void;
  say(line: string): void;
  clock?: Clock;
}

const STOP_DEADLINE_MS = 15_000;

// `up --watch` (issue 11.2): chokidar rather than hand-rolled fs.watch
// bookkeeping, because fs.watch alone is not recursive on Linux with Node 20,
// reports renames without saying what was renamed, and loses events on directories
// created after the watch starts; chokidar handles those, editors' atomic saves
// (`atomic`) and its `ignored` prunes node_modules and .git before they are walked.
export class StackWatcher {
  private watcher?: FSWatcher;
  private readonly batcher: WatchBatcher;
  private readonly filter: WatchFilter;

  constructor(private readonly manifest: Manifest, private readonly hooks: WatchHooks) {
    this.filter = new WatchFilter(manifest);
    this.batcher = new WatchBatcher({
      clock: hooks.clock ?? realClock,
      run: (job) => this.act(job),
      onError: (job, error) => hooks.say(`${job.service}: watch ${job.action} failed: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  // `ps`: each watched service's rules, `PATH ACTION`, paths relative to the project.
  rulesById(): Map<string, string[]> {
    return new Map(
      allServices(this.manifest)
        .filter((service) => service.watch.length > 0)
        .map((service) => [service.id, service.watch.map((rule) => `${path.relative(this.manifest.dir, rule.path) || '.'} ${rule.action}`)]),
    );
  }

  // Resolves once the initial scan is done: a change after that is seen.
  async start(): Promise<void> {
    const watcher = watch(this.filter.roots(), {
      ignoreInitial: true,
      atomic: true,
      persistent: true,
      ignored: (file, stats) => this.filter.ignored(file, stats?.isDirectory() ?? false),
    });
    this.watcher = watcher;
    const on = (event: FileEvent) => (file: string) => {
      for (const match of this.filter.matches(file)) this.batcher.change(match.service, match.action, file, event);
    };
    watcher.on('add', on('add')).on('change', on('change')).on('unlink', on('unlink'));
    watcher.on('error', (error) => this.hooks.say(`watch: ${error instanceof Error ? error.message : String(error)}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  }

  // Stops watching and drops pending changes; waits (bounded) for an action under way.
  async close(): Promise<void> {
    const idle = this.batcher.stop();
    await this.watcher?.close();
    this.watcher = undefined;
    await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, STOP_DEADLINE_MS).unref())]);
  }

  private async act(job: WatchJob): Promise<void> {
    const count = job.changed.length + job.deleted.length;
    const files = `${count} file${count === 1 ? '' : 's'} changed`;
    let done: string;
    // Process runtime: the files are read in place, so sync has nothing to copy and
    // a rebuild is a restart (DESIGN). Docker sync and rebuild are refused at `up`.
    if (job.action === 'sync') done = 'nothing to sync (files are read in place)';
    else {
      await this.hooks.restart(job.service);
      done = 'restarted';
    }
    this.hooks.say(`${job.service}: ${done}, ${files}`);
    this.hooks.event({time: Date.now(), service: job.service, type: 'watch', to: job.action, detail: `${done}, ${files}`});
  }
}
