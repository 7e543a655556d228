import {watch, type FSWatcher} from 'chokidar';
import path from 'node:path';
import {allServices, type Manifest} from '../manifest/types.js';
import type {SyncEntry} from '../runtime/types.js';
import type {LifecycleEvent} from '../supervisor/types.js';
import {realClock, type Clock} from '../time/clock.js';
import {WatchBatcher, type FileEvent, type WatchJob} from './batcher.js';
import {WatchFilter} from './file-filter.js';
import {initialSyncOf} from './initial-sync.js';

export interface WatchHooks {
  // Restart one service through the lifecycle (Stack.restart: the others untouched,
  // not a crash: no backoff, not counted in `restarts`).
  restart(id: string): Promise<void>;
  // Runtimes whose units have their own files (docker): copy and remove in the
  // running unit; rebuild the image (the restart that follows recreates). Without
  // them the files are read in place: sync does nothing, rebuild restarts.
  sync?(id: string, copy: SyncEntry[], remove: string[]): Promise<void>;
  rebuild?(id: string): Promise<void>;
  // One event per action (`events`), and one line for the user.
  event(event: LifecycleEvent): void;
  say(line: string): void;
  clock?: Clock;
}

const STOP_DEADLINE_MS = 15_000;

// `up --watch` (issue 11.2): chokidar rather than hand-rolled fs.watch
// bookkeeping, because fs.watch alone is not recursive on Linux with Node 20,
// reports renames without saying what was renamed, and loses events on directories
// created after the watch starts; chokidar handles those, and its `ignored` prunes
// node_modules and .git before they are walked. Not chokidar's `atomic`: it holds
// every unlink 100 ms to see whether the file comes back, which the batcher's own
// 100 ms of quiet does already (an unlink then add in one batch is a change), so
// it only made a deletion wait 100 ms more (issue 11.7).
export class StackWatcher {
  private watcher?: FSWatcher;
  private readonly batcher: WatchBatcher;
  private readonly filter: WatchFilter;
  // Per service, container paths deleted since `up` and not written again: a new
  // container made from the image would otherwise have them back.
  private readonly deleted = new Map<string, Set<string>>();

  // `before`: the watcher this one replaces (`up` again on a watched stack): the
  // files deleted since `up` stay deleted in containers made from then on.
  constructor(private readonly manifest: Manifest, private readonly hooks: WatchHooks, before?: StackWatcher) {
    this.filter = new WatchFilter(manifest);
    for (const [service, deleted] of before?.deleted ?? []) this.deleted.set(service, new Set(deleted));
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

  // What a new unit of a service gets before it starts (DockerRuntime.setInitialSync).
  initialSync(id: string): Promise<{copy: SyncEntry[]; remove: string[]}> {
    return initialSyncOf(this.filter, id, [...(this.deleted.get(id) ?? [])]);
  }

  // Resolves once the initial scan is done: a change after that is seen.
  async start(): Promise<void> {
    const watcher = watch(this.filter.roots(), {
      ignoreInitial: true,
      atomic: false,
      persistent: true,
      ignored: (file, stats) => this.filter.ignored(file, stats?.isDirectory() ?? false),
    });
    this.watcher = watcher;
    const on = (event: FileEvent) => (file: string) => {
      for (const match of this.filter.matches(file)) this.batcher.change(match.service, match.action, file, event);
    };
    // A removed directory is removed in the container as a whole (its files come too).
    watcher.on('add', on('add')).on('change', on('change')).on('unlink', on('unlink')).on('unlinkDir', on('unlink'));
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
    const done: string[] = [];
    if (job.action === 'sync' || job.action === 'sync+restart') {
      if (this.hooks.sync) {
        const copy = job.changed.flatMap((host) => this.filter.targets(job.service, host).map((target) => ({host, target})));
        const remove = job.deleted.flatMap((host) => this.filter.targets(job.service, host));
        this.remember(job.service, copy, remove);
        await this.hooks.sync(job.service, copy, remove);
        done.push('synced');
      } else if (job.action === 'sync') done.push('nothing to sync (files are read in place)');
    }
    if (job.action === 'rebuild' && this.hooks.rebuild) {
      await this.hooks.rebuild(job.service);
      done.push('rebuilt');
    }
    if (job.action !== 'sync') {
      await this.hooks.restart(job.service);
      done.push(job.action === 'rebuild' && this.hooks.rebuild ? 'recreated' : 'restarted');
    }
    const detail = `${done.join(' and ')}, ${files}`;
    this.hooks.say(`${job.service}: ${detail}`);
    this.hooks.event({time: Date.now(), service: job.service, type: 'watch', to: job.action, detail});
  }

  private remember(service: string, copy: SyncEntry[], remove: string[]): void {
    const deleted = this.deleted.get(service) ?? new Set<string>();
    this.deleted.set(service, deleted);
    for (const {target} of copy) deleted.delete(target);
    for (const target of remove) deleted.add(target);
  }
}
