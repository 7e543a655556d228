import path from 'node:path';
import {execa, type ResultPromise} from 'execa';
import {describe, expect, it} from 'vitest';
import {cli, eventually, project, root, trackProjects, type Project} from './cli-harness.js';

// Found by a new user's trial: `logs -f`, `events` and `ps --watch` ran on forever
// once the reader of their stdout had gone (`sidecar logs -f app | grep -m1 ready`
// hung a CI step), as oclif swallows EPIPE. They end quietly with 0, as
// `docker compose logs -f | head` does; foreground `up` keeps its stack running.
const bin = path.join(root, 'bin/run.js');
const track = trackProjects();

function ticking(name: string): Project {
  return track(
    project(`version: 1
name: ${name}
app:
  command: [node, \${PROGRAMS}/ticker.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}", INTERVAL: "200"}
  stopTimeout: 1s
`),
  );
}

// The CLI with its stdout a pipe whose reader (this test) closes it after the first line.
// `events` writes when something happens: `nudge` makes something happen until the CLI ends.
async function readOneLineThenClose(p: Project, args: string[], nudge?: () => Promise<unknown>): Promise<{child: ResultPromise; line: string}> {
  const child = execa(process.execPath, [bin, ...args], {cwd: p.dir, env: p.env, reject: false, stderr: 'pipe', timeout: 20_000});
  let ended = false;
  void child.finally(() => (ended = true));
  void (async () => {
    while (nudge && !ended) {
      await nudge();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const line = await eventually(() => (out.includes('\n') ? out.split('\n')[0] : undefined), 30_000, 'a first line');
  child.stdout!.destroy();
  return {child, line};
}

async function timedEnd(child: ResultPromise) {
  const started = Date.now();
  const done = await child;
  return {done, tookMs: Date.now() - started};
}

describe('a long-running command whose stdout reader has gone', () => {
  it.each([
    ['logs -f app', ['logs', '-f', 'app']],
    ['events', ['events']],
    ['ps --watch', ['ps', '--watch', '--interval', '200ms']],
    ['ps --watch --json', ['ps', '--watch', '--json', '--interval', '200ms']],
  ])('%s ends within seconds with 0 and nothing on stderr', async (_name, args) => {
    const p = ticking('closed');
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    const {child, line} = await readOneLineThenClose(p, args, args[0] === 'events' ? () => cli(p, ['restart', 'app']) : undefined);
    expect(line).not.toBe('');
    const {done, tookMs} = await timedEnd(child);
    expect(done.timedOut, 'still running after the pipe closed').toBe(false);
    expect(tookMs).toBeLessThan(8000);
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(done.stderr).toBe('');
  }, 60_000);

  it('foreground `up` keeps the stack up, says once on stderr that logs are no longer shown, and stops on Ctrl-C', async () => {
    const p = ticking('closedup');
    const {child} = await readOneLineThenClose(p, ['up', '--runtime', 'process']);
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await eventually(() => err.includes('stdout was closed'), 10_000, 'the note on stderr');
    // Still supervising: the stack answers `ps`, its app running.
    const ps = await cli(p, ['ps']);
    expect(ps.stdout).toMatch(/^app\s+app\s+running/m);
    child.kill('SIGINT');
    const done = await child;
    expect(done.exitCode, err).toBe(130);
    expect(err.match(/stdout was closed/g)).toHaveLength(1);
  }, 60_000);
});
