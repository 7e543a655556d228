import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {WatchFilter} from '../../../src/watch/file-filter.js';
import {initialSyncOf} from '../../../src/watch/initial-sync.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

// Issue 11.4: what a new container of a service gets before it starts: every file
// its sync rules cover (same ignores as the watcher), and deletions since `up`
// unless written again.
const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-initial-sync-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));
const at = (relative: string) => path.join(dir, relative);
for (const d of ['public/css', 'public/node_modules/x', 'src', 'dist']) mkdirSync(at(d), {recursive: true});
for (const f of ['public/index.html', 'public/css/site.css', 'public/css/site.css.map', 'public/node_modules/x/i.js', 'src/server.js', 'dist/b.js', 'settings.json']) writeFileSync(at(f), f);
writeFileSync(at('.dockerignore'), 'dist\n');
symlinkSync('.', at('public/loop'));

const filter = new WatchFilter(
  manifest({
    dir,
    app: service('app', 'app', {
      watch: [
        {path: at('public'), action: 'sync', target: '/srv/www', ignore: ['*.map']},
        {path: at('settings.json'), action: 'sync+restart', target: '/etc/app/settings.json', ignore: []},
        {path: at('src'), action: 'restart', ignore: []},
      ],
    }),
  }),
);

describe('initialSyncOf', () => {
  it('copies every file the sync rules cover, links as links, nothing ignored', async () => {
    const {copy, remove} = await initialSyncOf(filter, 'app', []);
    expect(copy.map((e) => `${path.relative(dir, e.host)} -> ${e.target}`).sort()).toEqual([
      'public/css/site.css -> /srv/www/css/site.css',
      'public/index.html -> /srv/www/index.html',
      'public/loop -> /srv/www/loop',
      'settings.json -> /etc/app/settings.json',
    ]);
    expect(remove).toEqual([]);
  });

  it('removes what was deleted since up, unless a copy writes it or lies under it again', async () => {
    const {remove} = await initialSyncOf(filter, 'app', ['/srv/www/old.html', '/srv/www/css', '/srv/www/index.html', '/srv/www/gone']);
    expect(remove).toEqual(['/srv/www/old.html', '/srv/www/gone']);
  });
});
