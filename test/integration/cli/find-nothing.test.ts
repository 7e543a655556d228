import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {appAndSidecar, cli, project, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 8 point 10: a command that finds nothing to act on says so with an exit
// code (2 for an unknown service, with the names there are; 3 for no manifest).
const track = trackProjects();

const twoServices = (): Project => track(project(appAndSidecar('lookup')));

function expectUnknown(result: {exitCode?: number; stderr: string; all?: string}, name: string): void {
  expect(result.exitCode, result.all).toBe(2);
  expect(result.stderr).toContain('SIDECAR_UNKNOWN_SERVICE');
  expect(result.stderr).toContain(`"${name}"`);
  expect(result.stderr).toContain('proxy, app');
}

describe('commands that find nothing', () => {
  it('ps, down and logs without a manifest are exit 3, as every other command', async () => {
    const empty: Project = {dir: mkdtempSync(path.join(os.tmpdir(), 'sidecar-cli-empty-')), mark: 'none', env: {NO_COLOR: '1', CI: 'true'}};
    for (const args of [['ps'], ['ps', '--json'], ['down'], ['logs'], ['logs', '-f'], ['events']]) {
      const result = await cli(empty, args);
      expect(result.exitCode, `${args.join(' ')}: ${result.all}`).toBe(3);
      expect(result.all).toContain('SIDECAR_MANIFEST_NOT_FOUND');
    }
  });

  it('an unknown service is exit 2 with the names, stack stopped', async () => {
    const p = twoServices();
    expectUnknown(await cli(p, ['logs', 'nope']), 'nope');
    // -f must not wait for lines that can never come (execa's timeout is the guard).
    const follow = await cli(p, ['logs', '-f', 'proxy', 'nope']);
    expectUnknown(follow, 'nope');
    expectUnknown(await cli(p, ['restart', 'nope']), 'nope');
    expectUnknown(await cli(p, ['exec', 'nope', '--', 'true']), 'nope');
    expectUnknown(await cli(p, ['up', '-d', '--runtime', 'process', 'nope']), 'nope');
    expect(survivors(p.mark)).toEqual([]);
  });

  it('an unknown service is exit 2 with the names, stack running', async () => {
    const p = twoServices();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    expectUnknown(await cli(p, ['logs', 'nope']), 'nope');
    expectUnknown(await cli(p, ['logs', '-f', 'nope']), 'nope');
    expectUnknown(await cli(p, ['restart', 'proxy', 'nope']), 'nope');
    expectUnknown(await cli(p, ['exec', 'nope', '--', 'true']), 'nope');
  });

  it('a --since without a unit is a usage error', async () => {
    const p = twoServices();
    const bare = await cli(p, ['logs', '--since', '5']);
    expect(bare.exitCode, bare.all).toBe(2);
    expect(bare.stderr).toContain('--since 5');
    expect((await cli(p, ['logs', '--since', '5m'])).exitCode).toBe(0);
    expect((await cli(p, ['logs', '--since', '2025-01-02T03:04:05Z'])).exitCode).toBe(0);
    const timeout = await cli(p, ['down', '--timeout', '5']);
    expect(timeout.exitCode, timeout.all).toBe(2);
  });
});
