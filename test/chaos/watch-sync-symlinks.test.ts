import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, type Project} from '../integration/cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from '../integration/docker/docker-engine.js';

// Found by a new user's trial (as an attacker): watch `sync` followed symbolic
// links out of the project into the container.
// 1. `path: ./out`, `out` a link to /tmp/secretdir: `validate` passed (the check
//    on the path was textual) and `up --watch` copied secretdir/s.txt into the
//    container (`sidecar exec app -- cat /x/s.txt` printed the secret).
// 2. A link to a directory outside, made under a synced path during `up --watch`:
//    the live sync followed it (its target's files landed in the container as
//    regular files), while the initial sync after `restart app` sent the link.
// Now: a sync path that resolves outside the project is refused at its line
// (exit 3, as `../` is), and inside a synced tree a link is sent as a link, by
// the live sync and the initial sync alike (as `docker cp` does): the files
// behind it never reach the container.
const SECRET = `secret-${Date.now().toString(36)}`;
const outsideBase = mkdtempSync(path.join(os.tmpdir(), 'sidecar-chaos-sync-outside-'));
const secretdir = path.join(outsideBase, 'secretdir');
mkdirSync(secretdir);
writeFileSync(path.join(secretdir, 's.txt'), `${SECRET}\n`);
afterAll(() => rmSync(outsideBase, {recursive: true, force: true}));

const rule = (watch: string, name: string): string => `version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "300"]
  stopTimeout: 1s
  watch:
${watch}`;

describe('chaos: a sync path that is a link out of the project', () => {
  it('validate and up --watch refuse it at the rule, exit 3, with a fix; nothing runs', async () => {
    ensureBuilt();
    const p = project(rule('    - {path: ./out, action: sync, target: /x}\n', 'chaoslink'));
    symlinkSync(secretdir, path.join(p.dir, 'out'));
    const validate = await cli(p, ['validate']);
    expect(validate.exitCode, validate.all).toBe(3);
    expect(validate.stderr).toMatch(/sidecar\.yaml:8:\d+/);
    expect(validate.stderr).toContain('outside the project');
    expect(validate.stderr).toMatch(/fix: .*inside the project/);
    for (const runtime of ['docker', 'process']) {
      const up = await cli(p, ['up', '-d', '--watch', '--runtime', runtime]);
      expect(up.exitCode, up.all).toBe(3);
      expect(up.stderr).toContain('outside the project');
    }
    expect(validate.all).not.toContain(SECRET);
  }, 60_000);
});

describeDocker('chaos: links under a synced path (docker)', () => {
  const name = `chaossync-${Date.now().toString(36)}`;
  let p: Project;
  const inApp = async (script: string) => cli(p, ['exec', 'app', '--', 'sh', '-c', script]);
  // Regular files in the container under the target, and what /x/<link> is there.
  const files = async (): Promise<string> => (await inApp('find /x -type f | sort')).stdout.trim();
  const isLink = async (name: string): Promise<boolean> => (await inApp(`test -L /x/${name}`)).exitCode === 0;

  beforeAll(async () => {
    ensureBuilt();
    p = project(rule('    - {path: ./www, action: sync, target: /x}\n', name));
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    mkdirSync(path.join(p.dir, 'www'));
    writeFileSync(path.join(p.dir, 'www/index.html'), 'i\n');
    // There before `up`: the initial sync's case.
    symlinkSync(secretdir, path.join(p.dir, 'www/before'));
  }, 120_000);
  afterAll(async () => {
    if (p) await cli(p, ['down', '--timeout', '1s']);
  });

  it('the initial sync sends a link as a link, the live sync too; restart keeps it so; no secret in the container', async () => {
    const up = await cli(p, ['up', '--wait', '--watch', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    expect(await files()).toBe('/x/index.html');
    expect(await isLink('before')).toBe(true);

    // Made during `up --watch`: the live sync.
    symlinkSync(secretdir, path.join(p.dir, 'www/live'));
    writeFileSync(path.join(p.dir, 'www/index.html'), 'i2\n');
    await eventually(async () => (await inApp('cat /x/index.html')).stdout.trim() === 'i2', 60_000, 'the live sync');
    await eventually(async () => isLink('live'), 30_000, 'the link synced as a link');
    // A file written behind the link later is no change of the project's.
    writeFileSync(path.join(secretdir, 't.txt'), `${SECRET}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await files()).toBe('/x/index.html');
    expect((await inApp('cat /x/live/s.txt /x/before/s.txt /x/live/t.txt')).stdout).not.toContain(SECRET);

    // A new container: the initial sync gives the same picture.
    const restart = await cli(p, ['restart', 'app']);
    expect(restart.exitCode, restart.all).toBe(0);
    await eventually(async () => (await inApp('cat /x/index.html')).stdout.trim() === 'i2', 60_000, 'the restarted app with its files');
    expect(await files()).toBe('/x/index.html');
    expect(await isLink('before')).toBe(true);
    expect(await isLink('live')).toBe(true);
    expect(readFileSync(path.join(p.dir, '.sidecar/supervisor.log'), 'utf8')).not.toContain(SECRET);
  }, 240_000);
});
