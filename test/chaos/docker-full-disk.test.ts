import {mkdirSync, rmSync} from 'node:fs';
import path from 'node:path';
import {expect, it} from 'vitest';
import {cli, eventually, project, type Project} from '../integration/cli/cli-harness.js';
import {fill, root, useTinyDisk} from './tiny-disk.js';
import {describeDocker, TEST_IMAGES} from '../integration/docker/docker-engine.js';

// Issue 9.6 under the Docker runtime: container output reaches the same log files
// through the attach streams, so a full disk must not take the supervisor (and
// the containers with it) down either: lines are dropped and counted, and
// writing resumes once space is back (Docker's json-file driver keeps the
// container running too). A 256 KiB tmpfs holds the project: needs root.
const disk = useTinyDisk('sc-ddisk-');
const live = disk.live;

interface Ps {
  supervisor: {pid: number} | null;
  services: {name: string; state: string; containerId: string | null; logsDropped?: number}[];
}

async function ps(p: Project): Promise<Ps> {
  const result = await cli(p, ['ps', '--json']);
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as Ps;
}

// `$$` is a literal `$` in a manifest (as in Compose).
const TICKER = 'i=0; while true; do echo tick $$i; i=$$((i+1)); sleep 0.01; done';

describeDocker('chaos: full disk (docker)', () => {
  it.runIf(root || process.env.CI === 'true')('containers keep running, the loss is counted, writing resumes once space is back', async () => {
    const parent = path.join(disk.mountPoint(), 'p');
    mkdirSync(parent);
    const name = `diskd-${Date.now().toString(36)}`;
    const p = project(`version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.busybox}
  command: [sh, -c, "${TICKER}"]
  stopTimeout: 1s
sidecars:
  chatty:
    image: ${TEST_IMAGES.busybox}
    command: [sh, -c, "${TICKER}"]
    stopTimeout: 1s
`, parent);
    p.env = {...p.env, SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause};
    live.push(p);
    const up = await cli(p, ['up', '--wait', '--runtime', 'docker']);
    expect(up.exitCode, up.all).toBe(0);
    const before = await ps(p);
    const filler = fill(disk.mountPoint());

    await new Promise((resolve) => setTimeout(resolve, 3000));
    const during = await ps(p);
    expect(during.supervisor?.pid).toBe(before.supervisor?.pid);
    for (const [i, service] of during.services.entries()) {
      expect(service.state).toBe('running');
      expect(service.containerId).toBe(before.services[i]!.containerId);
      expect(service.logsDropped ?? 0).toBeGreaterThan(0);
    }
    console.log(`docker, dropped while full: ${during.services.map((s) => `${s.name} ${s.logsDropped}`).join(', ')}`);

    rmSync(filler);
    await eventually(async () => {
      const lines = (await cli(p, ['logs', 'app'])).stdout.split('\n');
      const note = lines.findIndex((line) => /^app \| \[sidecar\] \d+ lines? \(\d+ bytes\) of this service's output (was|were) dropped: no space left on device \(ENOSPC\)$/.test(line));
      return note >= 0 && lines.slice(note + 1).some((line) => /^app \| tick \d+$/.test(line));
    }, 30_000, 'the log to resume with a note of the loss');
    const after = await ps(p);
    expect(after.supervisor?.pid).toBe(before.supervisor?.pid);
    expect(after.services.map((s) => s.state)).toEqual(['running', 'running']);

    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
  }, 180_000);
});
