import {execFileSync} from 'node:child_process';
import {chmodSync, lchownSync, chownSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {expect, it} from 'vitest';
import {root} from '../integration/cli/cli-harness.js';
import {CHAOS_USER, describeWithSecondUser, uidOf} from './host-second-user.js';

// bin/down.sh looks for symlinks in .sidecar/ by globbing; a directory it may not
// list globs to nothing, so a link in an unreadable logs/ went unseen and the
// shell stopped the stack, where Node's readdir fails and `down` stops nothing
// (found by review). The check runs as a second user: root reads any directory.
const downSh = path.join(root, 'bin/down.sh');

describeWithSecondUser('bin/down.sh: a directory in .sidecar/ it cannot list', () => {
  it('counts as holding a symlink, so Node decides', () => {
    const uid = uidOf(CHAOS_USER);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-unreadable-'));
    const state = path.join(dir, '.sidecar');
    const logs = path.join(state, 'logs');
    mkdirSync(logs, {recursive: true});
    writeFileSync(path.join(logs, 'app.log'), '');
    for (const p of [dir, state, logs, path.join(logs, 'app.log')]) chownSync(p, uid, uid);
    chmodSync(dir, 0o755);
    chmodSync(state, 0o700);
    // `sidecar_sh_linked DIR root` after sourcing as bin/run.js does (with sidecar_sh set; a `--json` down returns at once): "linked" or "clean".
    const linked = (): string =>
      execFileSync('setpriv', [`--reuid=${CHAOS_USER}`, `--regid=${CHAOS_USER}`, '--clear-groups', 'dash', '-c', `sidecar_sh=$1; . "$1" down --json; if sidecar_sh_linked "$2" root; then echo linked; else echo clean; fi`, 'sh', downSh, state], {encoding: 'utf8'}).trim();
    expect(linked()).toBe('clean');
    const link = path.join(logs, 'elsewhere.log');
    symlinkSync('/etc/passwd', link);
    lchownSync(link, uid, uid);
    expect(linked()).toBe('linked');
    chmodSync(logs, 0o000);
    expect(linked()).toBe('linked');
  });
});
