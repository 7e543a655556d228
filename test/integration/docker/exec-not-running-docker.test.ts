import {expect, it} from 'vitest';
import {cli, eventually, project, trackProjects} from '../cli/cli-harness.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// The engine refuses exec in a stopped container; exec says so as it does under
// the process runtime (test/integration/cli/exec-not-running.test.ts): the service,
// its state, exit 5 (SIDECAR_NOT_RUNNING), not the engine's words.
const track = trackProjects();

describeDocker('exec into a service that is not running (docker)', () => {
  it('refuses an exited sidecar with its state, exit 5', async () => {
    const p = track(
      project(`version: 1
name: execstatesdocker
app:
  image: ${TEST_IMAGES.busybox}
  command: [sleep, "1000"]
  stopTimeout: 1s
sidecars:
  done:
    image: ${TEST_IMAGES.busybox}
    command: [sh, -c, "echo bye"]
    restart: never
`),
    );
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    await eventually(async () => /^done\s+sidecar\s+exited \(0\)/m.test((await cli(p, ['ps'])).stdout), 30_000, 'done to exit');
    const exited = await cli(p, ['exec', 'done', '--', 'true']);
    expect(exited.exitCode, exited.all).toBe(5);
    expect(exited.stderr).toContain('service done is not running (exited (0)); exec runs a command beside a running service');
  }, 120_000);
});
