import {beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, project} from './cli-harness.js';

// Issue 8.7: `--runtime auto` fell back to processes silently, then ran image
// paths on the host. It now says what it chose and why, or exits 4.
describe('--runtime auto says which runtime and why', () => {
  beforeAll(() => ensureBuilt());

  it('falls back to processes when the engine is unreachable and every command runs here, in one stderr line', async () => {
    const p = project(`version: 1\nname: choice-ok\napp:\n  image: busybox\n  command: [node, -e, "0"]\n  env: {SIDECAR_TEST_MARK: "\${MARK}"}\n`);
    p.env = {...p.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock'};
    const run = await cli(p, ['run', '--', 'node', '-e', '0']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stderr).toMatch(/^runtime: process \(no Docker engine answers at DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock: \/nonexistent\/docker\.sock does not exist \(no engine running here\?\), and every service's command runs on this host\)$/m);
  });

  it('refuses with exit 4, the engine address and a fix when a command exists only in the image', async () => {
    const p = project(`version: 1\nname: choice-no\napp:\n  image: node:20\n  command: [/app/server.js]\n`);
    p.env = {...p.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock'};
    const up = await cli(p, ['up', '--wait']);
    expect(up.exitCode, up.all).toBe(4);
    expect(up.stderr).toContain('DOCKER_HOST=unix:///nonexistent/docker.sock');
    expect(up.stderr).toContain(`app's command "/app/server.js" is not on this host (it is in the image node:20)`);
    expect(up.stderr).toMatch(/fix: start Docker/);
  });
});
