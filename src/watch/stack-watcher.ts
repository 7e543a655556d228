import {watch, type FSWatcher} from 'chokidar';
import {lstatSync, realpathSync, statSync} from 'node:fs';
import path from 'node:path';
import {allServices, type Manifest} from '../manifest/types.js';
import {isWithin} from '../manifest/watch-rules.js';
import type {SyncEntry} from '../runtime/types.js';
import type {LifecycleEvent} from '../supervisor/types.js';
import {realClock, type Clock} from '../time/clock.js';
import {WatchBatcher, type FileEvent, type WatchJob} from './batcher.js';
import {WatchFilter} from './file-filter.js';
import {initialSyncOf} from './initial-sync.js';
import {LinkGuard} from './link-guard.js';

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
  // Each rule's path and what the watcher is given for it: its real path when the
  // rule's path is itself a link (see start()), else the path.
  private watched: {root: string; at: string}[] = [];

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
  // Symbolic links are not followed (found by a new user's trial: a link to a
  // directory outside the project, made under a synced path, had its target's
  // files copied into the container, where the initial sync sent the link): a
  // link in a watched tree is a change of its own, sent as a link by sync, as
  // `docker compose watch` sees what is under the path. A rule's path that is
  // itself a link is still followed, the one place it was asked for (validate
  // refuses a sync path that leads out of the project): the watcher gets its real
  // path, and what it reports there is mapped back under the rule's path.
  async start(): Promise<void> {
    this.watched = this.filter.roots().map((root) => ({root, at: linkedRoot(root)}));
    const watcher = watch([...new Set(this.watched.map((w) => w.at))], {
      ignoreInitial: true,
      atomic: false,
      persistent: true,
      followSymlinks: false,
      ignored: (file, stats) => this.asRuled(file).every((ruled) => this.filter.ignored(ruled, stats?.isDirectory() ?? false)),
    });
    this.watcher = watcher;
    const on = (event: FileEvent) => (reported: string) => {
      for (const file of this.asRuled(reported)) {
        for (const match of this.filter.matches(file)) this.batcher.change(match.service, match.action, file, event);
      }
    };
    // A removed directory is removed in the container as a whole (its files come too).
    watcher.on('add', on('add')).on('change', on('change')).on('unlink', on('unlink')).on('unlinkDir', on('unlink'));
    // chokidar drops a link it cannot resolve (a dangling one): seen from the raw
    // event of the directory, as the initial sync sends it (as a link).
    const dangling = new Set<string>();
    watcher.on('raw', (event, name, details) => {
      const dir = (details as {watchedPath?: unknown} | undefined)?.watchedPath;
      if (event !== 'rename' || !name || typeof dir !== 'string') return;
      const file = path.join(dir, name);
      if (danglingLink(file)) {
        on(dangling.has(file) ? 'change' : 'add')(file);
        dangling.add(file);
      } else if (dangling.delete(file) && !exists(file)) on('unlink')(file);
    });
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
        const guard = new LinkGuard(this.manifest.dir);
        const copy = job.changed.flatMap((host) => this.filter.copies(job.service, host, guard));
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

  // A path the watcher reported, as the rules name it: under each rule's path
  // whose real path the watcher was given; as it is under the others.
  private asRuled(reported: string): string[] {
    const ruled = new Set<string>();
    for (const {root, at} of this.watched) {
      if (isWithin(reported, at)) ruled.add(path.join(root, path.relative(at, reported)));
    }
    return ruled.size > 0 ? [...ruled] : [reported];
  }

  private remember(service: string, copy: SyncEntry[], remove: string[]): void {
    const deleted = this.deleted.get(service) ?? new Set<string>();
    this.deleted.set(service, deleted);
    for (const {target} of copy) deleted.delete(target);
    for (const target of remove) deleted.add(target);
  }
}

function danglingLink(file: string): boolean {
  try {
    if (!lstatSync(file).isSymbolicLink()) return false;
  } catch {
    return false;
  }
  return !exists(file);
}

// Something is there (a link: what it points at too).
function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

// What the watcher is given for a rule's path: its real path when the path is a
// symbolic link (followed there only), else the path as it is (also when missing).
function linkedRoot(root: string): string {
  try {
    return lstatSync(root).isSymbolicLink() ? realpathSync(root) : root;
  } catch {
    return root;
  }
}
