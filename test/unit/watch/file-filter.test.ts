import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {WatchFilter} from '../../../src/watch/file-filter.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

// Issue 11.2: what never triggers a rule (.git, node_modules, .sidecar,
// .dockerignore, per-rule ignore, editors' temp files) and which rules a file triggers.
const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-watch-filter-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));
mkdirSync(path.join(dir, 'src'));
writeFileSync(path.join(dir, '.dockerignore'), 'dist\n**/*.log\n');

const at = (relative: string) => path.join(dir, relative);
const filter = new WatchFilter(
  manifest({
    dir,
    app: service('app', 'app', {watch: [{path: at('src'), action: 'restart', ignore: ['*.test.js', 'fixtures']}, {path: at('package.json'), action: 'rebuild', ignore: []}]}),
    sidecars: [service('proxy', 'sidecar', {watch: [{path: at('src/proxy'), action: 'sync', target: '/etc/proxy', ignore: []}]})],
  }),
);

const CASES: [string, string[]][] = [
  ['src/server.js', ['app:restart']],
  ['src/deep/er/server.js', ['app:restart']],
  ['src/proxy/proxy.conf', ['app:restart', 'proxy:sync']],
  ['package.json', ['app:rebuild']],
  ['package-lock.json', []],
  ['README.md', []],
  ['src/server.test.js', []],
  ['src/deep/server.test.js', []],
  ['src/fixtures/a.json', []],
  ['src/node_modules/dep/index.js', []],
  ['src/.git/HEAD', []],
  ['src/.sidecar/state.json', []],
  ['src/app.log', []],
  ['dist/bundle.js', []],
  ['src/.server.js.swp', []],
  ['src/server.js~', []],
  ['src/.#server.js', []],
  ['src/4913', []],
  ['src/server.js___jb_tmp___', []],
];

describe('WatchFilter (issue 11.2)', () => {
  for (const [file, expected] of CASES) {
    it(`${file} -> ${expected.join(', ') || 'nothing'}`, () => {
      expect(filter.matches(at(file)).map((m) => `${m.service}:${m.action}`).sort()).toEqual(expected);
    });
  }

  it('prunes ignored directories before they are walked, not the project itself', () => {
    expect(filter.ignored(at('src/node_modules'), true)).toBe(true);
    expect(filter.ignored(at('dist'), true)).toBe(true);
    expect(filter.ignored(at('src'), true)).toBe(false);
    expect(filter.ignored(dir, true)).toBe(false);
  });

  // Issue 11.4: where a synced file goes in the container, per sync rule of that service.
  it('maps a synced file under target, only for that service\'s sync rules and not when ignored', () => {
    expect(filter.targets('proxy', at('src/proxy/conf.d/a.conf'))).toEqual(['/etc/proxy/conf.d/a.conf']);
    expect(filter.targets('proxy', at('src/proxy'))).toEqual(['/etc/proxy']);
    expect(filter.targets('app', at('src/proxy/conf.d/a.conf'))).toEqual([]);
    expect(filter.targets('proxy', at('src/proxy/.a.conf.swp'))).toEqual([]);
    expect(filter.targets('proxy', at('src/proxy/node_modules/x.js'))).toEqual([]);
    expect(filter.syncRoots('proxy')).toEqual([at('src/proxy')]);
    expect(filter.syncRoots('app')).toEqual([]);
  });

  it('hands the watcher each rule path once', () => {
    expect(filter.roots().sort()).toEqual([at('package.json'), at('src'), at('src/proxy')].sort());
  });
});
