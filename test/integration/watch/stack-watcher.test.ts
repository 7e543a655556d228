import {lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {StackWatcher} from '../../../src/watch/stack-watcher.js';
import type {SyncEntry} from '../../../src/runtime/types.js';
import type {LifecycleEvent} from '../../../src/supervisor/types.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

// Issue 11.6 "watch stops cleanly and leaves no watcher behind", on the real file
// system: after close() no fs.watch handle of ours is left and a change does nothing.
const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-stack-watcher-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const fsWatchers = () => process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length;

async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('StackWatcher on the real file system', () => {
  it('restarts on a change, a sidecar rule leaves the app alone, and close() leaves no watcher', async () => {
    mkdirSync(path.join(dir, 'src/proxy'), {recursive: true});
    const m = manifest({
      dir,
      app: service('app', 'app', {watch: [{path: path.join(dir, 'src/app'), action: 'restart', ignore: []}]}),
      sidecars: [service('proxy', 'sidecar', {watch: [{path: path.join(dir, 'src/proxy'), action: 'restart', ignore: []}]})],
    });
    mkdirSync(path.join(dir, 'src/app'), {recursive: true});
    const restarts: string[] = [];
    const events: LifecycleEvent[] = [];
    const lines: string[] = [];
    const before = fsWatchers();
    const watcher = new StackWatcher(m, {restart: async (id) => void restarts.push(id), event: (e) => events.push(e), say: (line) => lines.push(line)});
    await watcher.start();
    expect(fsWatchers()).toBeGreaterThan(before);

    writeFileSync(path.join(dir, 'src/proxy/envoy.yaml'), 'a');
    await eventually(() => lines.length === 1, 10_000, 'the proxy restart');
    expect(restarts).toEqual(['proxy']);
    expect(lines).toEqual(['proxy: restarted, 1 file changed']);
    expect(events).toEqual([expect.objectContaining({service: 'proxy', type: 'watch', to: 'restart', detail: 'restarted, 1 file changed'})]);

    // A directory created after the start is watched too.
    mkdirSync(path.join(dir, 'src/app/new'));
    writeFileSync(path.join(dir, 'src/app/new/a.js'), 'a');
    writeFileSync(path.join(dir, 'src/app/b.js'), 'b');
    await eventually(() => lines.length === 2, 10_000, 'the app restart');
    expect(restarts).toEqual(['proxy', 'app']);

    await watcher.close();
    // fs.watch handles go once their close has run (the next turns of the loop).
    await eventually(() => fsWatchers() === before, 5_000, `fs.watch handles back to ${before} (now ${fsWatchers()})`);
    writeFileSync(path.join(dir, 'src/app/c.js'), 'c');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(restarts).toEqual(['proxy', 'app']);
  }, 30_000);

  // Found by a new user's trial: a link to a directory outside the project, made
  // under a synced path during `up --watch`, was followed: its files went into the
  // container as regular files, where the initial sync sent the link. The live sync
  // now sends what is under the path: the link itself, never what it points at.
  it('sync sends a link made under a synced path as the link, never the files it points at', async () => {
    const project = path.join(dir, 'links');
    const outside = path.join(dir, 'secretdir');
    mkdirSync(path.join(project, 'www'), {recursive: true});
    mkdirSync(path.join(project, 'real'), {recursive: true});
    mkdirSync(outside);
    writeFileSync(path.join(outside, 's.txt'), 'secret');
    symlinkSync('real', path.join(project, 'inside'));
    const m = manifest({
      dir: project,
      app: service('app', 'app', {
        watch: [
          {path: path.join(project, 'www'), action: 'sync', target: '/x', ignore: []},
          {path: path.join(project, 'inside'), action: 'sync', target: '/y', ignore: []},
        ],
      }),
    });
    const synced: SyncEntry[][] = [];
    const removed: string[] = [];
    const lines: string[] = [];
    const watcher = new StackWatcher(m, {
      restart: async () => {},
      sync: async (_id, copy, remove) => {
        synced.push(copy);
        removed.push(...remove);
      },
      event: () => {},
      say: (line) => lines.push(line),
    });
    await watcher.start();
    try {
      symlinkSync(outside, path.join(project, 'www/out'));
      await eventually(() => synced.length >= 1, 10_000, 'the sync of the link');
      // Files written behind the link afterwards are not the project's: nothing follows.
      writeFileSync(path.join(outside, 't.txt'), 'secret too');
      // A rule whose path is a link inside the project is still followed.
      writeFileSync(path.join(project, 'real/page.html'), 'p');
      await eventually(() => synced.flat().some((e) => e.target === '/y/page.html'), 10_000, 'the sync through the inside link');
      // A dangling link is a link too (the initial sync sends it as one).
      symlinkSync(path.join(outside, 'not-yet'), path.join(project, 'www/later'));
      await eventually(() => synced.flat().some((e) => e.target === '/x/later'), 10_000, 'the sync of the dangling link');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const all = synced.flat().map((e) => `${path.relative(project, e.host)} -> ${e.target}`).sort();
      expect(all).toEqual(['inside/page.html -> /y/page.html', 'www/later -> /x/later', 'www/out -> /x/out']);
      expect(lstatSync(path.join(project, 'www/out')).isSymbolicLink()).toBe(true);
      // Removing the links removes them in the container (rm of a link leaves its target).
      rmSync(path.join(project, 'www/out'));
      rmSync(path.join(project, 'www/later'));
      await eventually(() => removed.includes('/x/out') && removed.includes('/x/later'), 10_000, 'the removal of the links');
    } finally {
      await watcher.close();
    }
  }, 30_000);
});
