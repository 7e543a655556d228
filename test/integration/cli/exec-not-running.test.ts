import {describe, expect, it} from 'vitest';
import {cli, eventually, project, trackProjects} from './cli-harness.js';

// Found by a new user's trial: under the process runtime `exec` ran beside a service
// that had exited, or that had not started yet, and exited 0. `docker compose exec`
// refuses a service that is not running; so does exec here, naming the service and
// its state, exit 5 (SIDECAR_NOT_RUNNING).
const track = trackProjects();

describe('exec into a service that is not running', () => {
  it('refuses an exited sidecar and a pending app with their state, exit 5; a starting sidecar is exec-able', async () => {
    const p = track(
      project(`version: 1
name: execstates
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
sidecars:
  done:
    command: [sh, -c, "echo bye"]
    restart: never
  slow:
    command: [node, \${PROGRAMS}/forever.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    health: {exec: ["false"], startTimeout: 60s}
    stopTimeout: 1s
`),
    );
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    await eventually(async () => /^done\s+sidecar\s+exited \(0\)/m.test((await cli(p, ['ps'])).stdout), 20_000, 'done to exit');

    const exited = await cli(p, ['exec', 'done', '--', 'true']);
    expect(exited.exitCode, exited.all).toBe(5);
    expect(exited.stderr).toContain('SIDECAR_NOT_RUNNING');
    expect(exited.stderr).toContain('service done is not running (exited (0)); exec runs a command beside a running service');
    expect(exited.stderr).toContain('sidecar restart done');

    // The app waits for `slow`, which never becomes ready.
    const pending = await cli(p, ['exec', 'app', '--', 'true']);
    expect(pending.exitCode, pending.all).toBe(5);
    expect(pending.stderr).toContain('service app is not running (pending)');

    // Started but not ready: its process runs, and exec beside it is how one finds out why.
    const starting = await cli(p, ['exec', 'slow', '--', 'sh', '-c', 'echo here']);
    expect(starting.exitCode, starting.all).toBe(0);
    expect(starting.stdout).toBe('here');
  }, 60_000);
});
