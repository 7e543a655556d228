import {allServices, type Manifest, type Service} from '../manifest/types.js';
import type {Runtime, SyncEntry} from '../runtime/types.js';
import {supervisorNote} from '../logs/supervisor-note.js';
import type {LifecycleEvent} from '../supervisor/types.js';
import type {StackWatcher} from '../watch/stack-watcher.js';

export interface WatcherDeps {
  runtime: Runtime;
  // The manifest the stack runs at the time of an action (it changes with `up` again).
  current: () => Manifest;
  restart: (id: string) => Promise<void>;
  emit: (event: LifecycleEvent) => void;
  detached: boolean;
}

// Issue 11.2: the watcher lives with the stack (foreground CLI or detached
// supervisor) and goes at shutdown, before anything stops. `before`: the watcher
// it replaces (`up` again), whose memory of deleted files it keeps.
export async function stackWatcherOf(manifest: Manifest, deps: WatcherDeps, before?: StackWatcher): Promise<StackWatcher> {
  const {StackWatcher} = await import('../watch/stack-watcher.js');
  const {runtime} = deps;
  const service = (id: string): Service => {
    const found = allServices(deps.current()).find((s) => s.id === id);
    if (!found) throw new Error(`watch: no service ${id}`);
    return found;
  };
  return new StackWatcher(
    manifest,
    {
      restart: deps.restart,
      ...(runtime.syncFiles ? {sync: (id: string, copy: SyncEntry[], remove: string[]) => runtime.syncFiles!(service(id), copy, remove)} : {}),
      ...(runtime.rebuildImage ? {rebuild: (id: string) => runtime.rebuildImage!(service(id))} : {}),
      event: deps.emit,
      say: (line) => {
        if (deps.detached) supervisorNote(line);
        else process.stderr.write(`${line}\n`);
      },
    },
    before,
  );
}
