import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, survivors, type Project} from './cli-harness.js';

// A stop asked for while the stack is still starting (Ctrl-C, SIGTERM, `sidecar
// down` from another terminal) is a stop, not a start failure: everything that
// started is stopped in order, and the exit code says how it was stopped.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

// "slow" becomes ready long after "first" is up: the test acts in between.
function starting(): Project {
  const p = project(`version: 1
name: halfway
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 2s
sidecars:
  first:
    command: [node, \${PROGRAMS}/forever.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 2s
  slow:
    command: [sh, -c, "echo slow is warming up; sleep 60; echo slow ready; exec sleep 1000"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    health: {log: "^slow ready$", startTimeout: 120s}
    stopTimeout: 2s
`);
  live.push(p);
  return p;
}

// Asked of the stack (not read from `up`'s output): "first" is up, "slow" is not ready yet.
async function untilStarting(p: Project): Promise<void> {
  await eventually(async () => JSON.parse((await cli(p, ['ps', '--json'])).stdout || '{}').services?.some((s: {name: string; state: string}) => s.name === 'slow' && s.state === 'starting'), 30_000, 'slow to start');
}

function collect(child: ReturnType<typeof cli>): () => string {
  let out = '';
  child.all!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return () => out;
}

describe('stopping a stack that is still starting', () => {
  it('foreground `up` streams service logs while starting (plain mode)', async () => {
    const p = starting();
    const up = cli(p, ['up', '--runtime', 'process']);
    const out = collect(up);
    await eventually(() => /^first +\| started/m.test(out()) && /^slow +\| slow is warming up/m.test(out()), 30_000, 'prefixed logs during start-up');
    up.kill('SIGINT');
    await up;
  });

  it('Ctrl-C of foreground `up` while starting stops in order: exit 130, nothing left, no failure', async () => {
    const p = starting();
    const up = cli(p, ['up', '--runtime', 'process']);
    await untilStarting(p);
    up.kill('SIGINT');
    const result = await up;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.stderr).toContain('stopping halfway');
    expect(result.stderr.trim().split('\n').at(-1)).toBe('stopped halfway');
    expect(result.all).not.toMatch(/FAILED|SIDECAR_STACK_FAILED/);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('SIGTERM of foreground `up` while starting: exit 143, nothing left', async () => {
    const p = starting();
    const up = cli(p, ['up', '--runtime', 'process']);
    await untilStarting(p);
    up.kill('SIGTERM');
    const result = await up;
    expect(result.exitCode, result.all).toBe(143);
    // Found by a new user's trial: a SIGTERM was told to "press Ctrl-C again".
    expect(result.stderr).toContain('(send SIGTERM again to kill at once)');
    expect(result.all).not.toMatch(/FAILED|SIDECAR_STACK_FAILED/);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('`sidecar down` during foreground `up` start-up is a normal stop: exit 0, said as a stop', async () => {
    const p = starting();
    const up = cli(p, ['up', '--runtime', 'process']);
    await untilStarting(p);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    const result = await up;
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toContain('stopped by `sidecar down` before it was ready');
    expect(result.all).not.toMatch(/FAILED|SIDECAR_STACK_FAILED/);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('`sidecar down` during `up --wait`: exit 5 with a true message', async () => {
    const p = starting();
    const up = cli(p, ['up', '--wait', '--runtime', 'process']);
    await untilStarting(p);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    const result = await up;
    expect(result.exitCode, result.all).toBe(5);
    expect(result.stderr).toContain('the stack was stopped by `sidecar down` before it was ready');
    expect(result.stderr).not.toMatch(/failed to start|fix it/);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('Ctrl-C of `up --wait` stops what it started: exit 130, no supervisor, nothing left', async () => {
    const p = starting();
    const up = cli(p, ['up', '--wait', '--runtime', 'process']);
    await untilStarting(p);
    up.kill('SIGINT');
    const result = await up;
    expect(result.exitCode, result.all).toBe(130);
    const ps = await cli(p, ['ps', '--json']);
    expect(ps.stdout).not.toMatch(/"state": "running"/);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('Ctrl-C of `run` while the stack starts: exit 130, CMD never runs, nothing left', async () => {
    const p = starting();
    const run = cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', 'console.log("CMD RAN")']);
    await untilStarting(p);
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).not.toContain('CMD RAN');
    expect(result.all).not.toMatch(/FAILED|SIDECAR_STACK_FAILED/);
    expect(survivors(p.mark)).toEqual([]);
  });
});
