import {readdir, stat} from 'node:fs/promises';
import path from 'node:path';
import type {SyncEntry} from '../runtime/types.js';
import type {WatchFilter} from './file-filter.js';
import {LinkGuard} from './link-guard.js';

// The initial sync of one service (issue 11.4): every file its sync rules cover,
// walked as the watcher sees them (same ignores), so a container made again from
// the image (a restart, a crash, a recreate) starts with the project's files,
// where Compose loses them (#11102) or skips the first sync (#12254, #13725).
// `deleted`: container paths removed by watch since `up`; one a copy now writes
// again (or lies under) is not removed.
export async function initialSyncOf(filter: WatchFilter, service: string, deleted: string[]): Promise<{copy: SyncEntry[]; remove: string[]}> {
  const copy: SyncEntry[] = [];
  const guard = new LinkGuard(filter.manifest.dir);
  const add = (host: string): void => {
    copy.push(...filter.copies(service, host, guard));
  };
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, {withFileTypes: true}).catch(() => []);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      // A symbolic link goes over as a link, never followed (no cycles, nothing
      // from outside the project), as the live sync sends it.
      if (filter.ignored(full, entry.isDirectory())) continue;
      if (entry.isDirectory()) await walk(full);
      else add(full);
    }
  };
  for (const root of filter.syncRoots(service)) {
    const info = await stat(root).catch(() => undefined);
    // A rule's directory that a link leads out of the project is not walked at all
    // (refused by validate and `up --watch`; a link made since is not followed).
    if (info?.isDirectory()) {
      if (guard.rootAllowed(root)) await walk(root);
    } else if (info) add(root);
  }
  const written = copy.map((entry) => entry.target);
  const remove = deleted.filter((gone) => !written.some((target) => target === gone || target.startsWith(`${gone}/`)));
  return {copy, remove};
}
