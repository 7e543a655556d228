import {rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {appAndSidecar, cli, project, survivors, trackProjects} from '../integration/cli/cli-harness.js';

// Found by a new user's trial: with .sidecar/supervisor.json removed (or garbled)
// while the stack ran, `ps` said "no supervisor running, 2 service(s) left
// running" and `down` waited 30 s for the project's lock, then failed (exit 5)
// telling the user to run `sidecar down`. The lock names the live supervisor.
const track = trackProjects();

describe('chaos: supervisor.json lost while the stack runs', () => {
  for (const [name, damage] of [
    ['removed', (file: string) => rmSync(file)],
    ['garbled', (file: string) => writeFileSync(file, '{not json')],
  ] as const) {
    it(`${name}: ps still finds the supervisor, and down stops everything at once`, async () => {
      const p = track(project(appAndSidecar('lost')));
      const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
      expect(up.exitCode, up.all).toBe(0);
      expect(survivors(p.mark).length).toBeGreaterThanOrEqual(2);
      damage(path.join(p.dir, '.sidecar/supervisor.json'));
      const ps = await cli(p, ['ps', '--json']);
      expect(ps.exitCode, ps.all).toBe(0);
      const seen = JSON.parse(ps.stdout) as {supervisor: {pid: number} | null; services: {state: string}[]};
      expect(seen.supervisor).not.toBeNull();
      expect(seen.services.map((s) => s.state)).toEqual(['running', 'running']);
      const began = Date.now();
      const down = await cli(p, ['down']);
      expect(down.exitCode, down.all).toBe(0);
      expect(down.stdout).toContain('stopped lost');
      // The stop itself, not a 30 s wait for the lock.
      expect(Date.now() - began).toBeLessThan(15_000);
      expect(survivors(p.mark)).toEqual([]);
    }, 60_000);
  }
});
