import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {buffer} from 'node:stream/consumers';
import {afterAll, describe, expect, it} from 'vitest';
import {tarOf} from '../../src/runtime/docker/tar-entries.js';
import {WatchFilter} from '../../src/watch/file-filter.js';
import {initialSyncOf} from '../../src/watch/initial-sync.js';
import {LinkGuard} from '../../src/watch/link-guard.js';
import {manifest, service} from '../helpers/manifest-builder.js';

// Found by review (as an attacker): a time-of-check/time-of-use race in watch
// `sync`. The link guard checked with realpath that no link lay between a rule's
// path and a file's directory; the file was read later, by its path, for the tar
// stream. A directory swapped for a link to a directory outside the project in
// between (here a 'secret' dir; /etc or another readable dir alike) had the read
// follow it: the secret's bytes went into the archive under the project's name.
// The swap is made deterministic here: the check (copies / initialSyncOf), then
// the swap, then the real read (tarOf, no mock of fs), as one batch does them.
// Now the read opens every directory from the project's real path without
// following a link, and the file below the last one's handle: a swapped directory
// leaves the file out of the batch (the swap is a change of its own, whose batch
// sends the new link as a link); a file swapped for a link goes as the link.
const SECRET = `secret-${Date.now().toString(36)}`;
const base = mkdtempSync(path.join(tmpdir(), 'sidecar-chaos-sync-swap-'));
afterAll(() => rmSync(base, {recursive: true, force: true}));
const outside = path.join(base, 'secretdir');
mkdirSync(outside);
for (const name of ['config.txt', 'settings.json', 'index.html']) writeFileSync(path.join(outside, name), `${SECRET}\n`);

let count = 0;
// A fresh project per case: www/index.html, www/sub/config.txt, conf/settings.json.
function fixture(): {dir: string; at: (relative: string) => string; filter: WatchFilter} {
  const dir = path.join(base, `project-${count++}`);
  const at = (relative: string) => path.join(dir, relative);
  for (const d of ['www/sub', 'conf']) mkdirSync(at(d), {recursive: true});
  writeFileSync(at('www/index.html'), 'index\n');
  writeFileSync(at('www/sub/config.txt'), 'config\n');
  writeFileSync(at('conf/settings.json'), '{}\n');
  const filter = new WatchFilter(
    manifest({
      dir,
      app: service('app', 'app', {
        watch: [
          {path: at('www'), action: 'sync', target: '/x', ignore: []},
          {path: at('conf/settings.json'), action: 'sync', target: '/etc/app/settings.json', ignore: []},
        ],
      }),
    }),
  );
  return {dir, at, filter};
}

// A directory of the project swapped for a link to the secret dir (the old one kept aside).
function swap(dir: string): void {
  renameSync(dir, `${dir}.old`);
  symlinkSync(outside, dir);
}

// The archive as tar lists it (`name` or `name -> link`), and its raw bytes.
async function archiveOf(copy: Parameters<typeof tarOf>[0]): Promise<{bytes: Buffer; listing: string[]}> {
  const bytes = await buffer(tarOf(copy));
  const out = mkdtempSync(path.join(base, 'out-'));
  execFileSync('tar', ['-xf', '-', '-C', out], {input: bytes});
  const listing = execFileSync('tar', ['-tvf', '-'], {input: bytes})
    .toString()
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^.*\d\d:\d\d /, ''));
  return {bytes, listing};
}

describe('chaos: a directory swapped for a link between the link check and the read', () => {
  it('a directory below the rule path: the file is left out, the secret never read', async () => {
    const {at, filter} = fixture();
    const guard = new LinkGuard(at('.'));
    const copy = [at('www/index.html'), at('www/sub/config.txt')].flatMap((file) => filter.copies('app', file, guard));
    expect(copy.map((e) => e.target)).toEqual(['/x/index.html', '/x/sub/config.txt']);
    swap(at('www/sub'));
    const {bytes, listing} = await archiveOf(copy);
    expect(bytes.toString('latin1')).not.toContain(SECRET);
    // The rest of the batch goes as ever.
    expect(listing).toEqual(['x/index.html']);
  });

  it("the rule's directory itself: nothing under it is read", async () => {
    const {at, filter} = fixture();
    const guard = new LinkGuard(at('.'));
    const copy = [at('www/index.html'), at('www/sub/config.txt')].flatMap((file) => filter.copies('app', file, guard));
    swap(at('www'));
    const {bytes, listing} = await archiveOf(copy);
    expect(bytes.toString('latin1')).not.toContain(SECRET);
    expect(listing).toEqual([]);
  });

  it("a file rule's directory: the file is left out", async () => {
    const {at, filter} = fixture();
    const copy = filter.copies('app', at('conf/settings.json'), new LinkGuard(at('.')));
    expect(copy.map((e) => e.target)).toEqual(['/etc/app/settings.json']);
    swap(at('conf'));
    const {bytes, listing} = await archiveOf(copy);
    expect(bytes.toString('latin1')).not.toContain(SECRET);
    expect(listing).toEqual([]);
  });

  it('the initial sync: the walked tree swapped before the tar is read', async () => {
    const {at, filter} = fixture();
    const {copy} = await initialSyncOf(filter, 'app', []);
    expect(copy.map((e) => e.target).sort()).toEqual(['/etc/app/settings.json', '/x/index.html', '/x/sub/config.txt']);
    swap(at('www/sub'));
    const {bytes, listing} = await archiveOf(copy);
    expect(bytes.toString('latin1')).not.toContain(SECRET);
    expect(listing.sort()).toEqual(['etc/app/settings.json', 'x/index.html']);
  });

  it('the file itself swapped for a link: it goes as the link, as before', async () => {
    const {at, filter} = fixture();
    const copy = filter.copies('app', at('www/sub/config.txt'), new LinkGuard(at('.')));
    rmSync(at('www/sub/config.txt'));
    symlinkSync(path.join(outside, 'config.txt'), at('www/sub/config.txt'));
    const {bytes, listing} = await archiveOf(copy);
    expect(bytes.toString('latin1')).not.toContain(SECRET);
    expect(listing).toEqual([`x/sub/config.txt -> ${path.join(outside, 'config.txt')}`]);
  });
});
