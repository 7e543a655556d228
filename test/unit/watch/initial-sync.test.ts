import {mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
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

// Found by a new user's trial: sync followed links out of the project. Inside a
// synced tree a link goes over as a link; a rule's path that resolves outside the
// project (refused at validate, or made a link after it) is not walked at all;
// one that resolves inside it is walked as before.
describe('initialSyncOf and symbolic links', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'sidecar-initial-sync-links-'));
  afterAll(() => rmSync(base, {recursive: true, force: true}));
  const project = path.join(base, 'project');
  const outside = path.join(base, 'secretdir');
  const inP = (relative: string) => path.join(project, relative);
  for (const d of ['www', 'real', 'deep']) mkdirSync(inP(d), {recursive: true});
  mkdirSync(outside);
  writeFileSync(path.join(outside, 's.txt'), 'secret');
  writeFileSync(inP('www/index.html'), 'i');
  writeFileSync(inP('real/page.html'), 'p');
  symlinkSync(outside, inP('www/out'));
  symlinkSync(outside, inP('out'));
  symlinkSync('real', inP('inside'));
  symlinkSync(outside, inP('deep/parent'));
  const rules = (...paths: string[]) =>
    new WatchFilter(manifest({dir: project, app: service('app', 'app', {watch: paths.map((p, i) => ({path: inP(p), action: 'sync' as const, target: `/t${i}`, ignore: []}))})}));
  const copied = async (filter: WatchFilter) => (await initialSyncOf(filter, 'app', [])).copy.map((e) => `${path.relative(project, e.host)} -> ${e.target}`).sort();

  it('a linked-out directory inside a synced tree goes as the link, never its files', async () => {
    expect(await copied(rules('www'))).toEqual(['www/index.html -> /t0/index.html', 'www/out -> /t0/out']);
  });

  it("a rule's path that is a link out of the project, or lies below one, copies nothing", async () => {
    expect(await copied(rules('out', 'deep/parent/s.txt'))).toEqual([]);
  });

  it("a rule's path that is a link inside the project is walked, and read along its real path", async () => {
    expect(await copied(rules('inside'))).toEqual(['inside/page.html -> /t0/page.html']);
    const {copy} = await initialSyncOf(rules('inside'), 'app', []);
    expect(copy.map((e) => e.from)).toEqual([{base: realpathSync(project), below: ['real', 'page.html']}]);
  });
});
