import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {StackWatcher} from '../../../src/watch/stack-watcher.js';
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
});
