import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, project, trackProjects} from './cli-harness.js';

// Found by a new user's trial: `logs --file somefifo` said "no manifest at fifo" and
// `down -f /dev/zero` "no manifest at /dev/zero", where `validate -f fifo` says
// what the path is. Every command says what validate says (exit 3).
const track = trackProjects();

describe('a manifest path that is not a regular file', () => {
  it.each([
    ['logs', ['logs', '--file']],
    ['logs -f', ['logs', '-f', '--file']],
    ['events', ['events', '-f']],
    ['down', ['down', '-f']],
  ])('%s says it is a named pipe or a device, as validate does', async (_name, words) => {
    const p = track(project('version: 1\nname: nofile\napp: {command: [sleep, "1"]}\n'));
    execFileSync('mkfifo', [path.join(p.dir, 'fifo')]);
    for (const file of ['fifo', '/dev/zero']) {
      const validate = await cli(p, ['validate', '-f', file]);
      expect(validate.exitCode).toBe(3);
      expect(validate.stderr).toMatch(/is (a named pipe \(FIFO\)|a device), not a regular file/);
      const result = await cli(p, [...words, file]);
      expect(result.exitCode, result.all).toBe(3);
      expect(result.stderr).not.toContain('no manifest at');
      expect(result.stderr).toBe(validate.stderr);
    }
  }, 60_000);
});
