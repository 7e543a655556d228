import path from 'node:path';
import {execa} from 'execa';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {TopResult} from '../../../src/host/control/protocol.js';
import {cli, ensureBuilt, eventually, project, root, type Project} from './cli-harness.js';

// Issue 14.6: `ps --watch`, the live view: every service with its CPU and memory,
// refreshed in place on a terminal, a line per sample elsewhere, ending with
// Ctrl-C or with the stack.
const bin = path.join(root, 'bin/run.js');
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '2s']);
});

function busyAndIdle(): Project {
  const p = project(`version: 1
name: watched
app:
  command: [node, -e, "setInterval(() => {}, 1000)"]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 2s
sidecars:
  busy:
    command: [node, -e, "for (;;) {}"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 2s
`);
  live.push(p);
  return p;
}

function watch(p: Project, args: string[]) {
  return execa(process.execPath, [bin, 'ps', '--watch', ...args], {cwd: p.dir, env: p.env, reject: false, all: true, timeout: 60_000});
}

describe('ps --watch', () => {
  it('--json: a sample per interval with each service\'s CPU time and memory; the busy loop uses a core, the idle app next to none; Ctrl-C ends it with 0', async () => {
    const p = busyAndIdle();
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    const watching = watch(p, ['--json', '--interval', '500ms']);
    let out = '';
    watching.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => out.split('\n').filter(Boolean).length >= 4, 30_000, 'four samples');
    watching.kill('SIGINT');
    const done = await watching;
    expect(done.exitCode, done.all).toBe(0);
    const samples = out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as TopResult);
    const [first, last] = [samples[0]!, samples.at(-1)!];
    const share = (name: string): number => {
      const at = (s: TopResult) => s.usage[s.services.findIndex((x) => x.name === name)]!;
      return (at(last).cpuSeconds - at(first).cpuSeconds) / ((last.at - first.at) / 1000);
    };
    // How much of a core the loop gets depends on what else the machine runs: it
    // must use a measurable share, and far more than the idle app.
    expect(share('busy')).toBeGreaterThan(0.05);
    expect(share('busy')).toBeGreaterThan(5 * share('app'));
    expect(share('app')).toBeLessThan(0.1);
    for (const usage of last.usage) expect(usage!.memoryBytes).toBeGreaterThan(5 * 1024 * 1024);
  });

  it('not on a terminal: a timestamped table per sample with CPU and MEM; it ends by itself when the stack is brought down', async () => {
    const p = busyAndIdle();
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    const watching = watch(p, ['--interval', '300ms']);
    let out = '';
    watching.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => (out.match(/^--- /gm) ?? []).length >= 2, 30_000, 'two samples');
    expect((await cli(p, ['down', '--timeout', '2s'])).exitCode).toBe(0);
    const done = await watching;
    expect(done.exitCode, done.all).toBe(0);
    expect(out).toMatch(/NAME\s+ROLE\s+STATE\s+HEALTH\s+RESTARTS\s+CPU\s+MEM\s+PID\/CONTAINER/);
    expect(out).toMatch(/^busy\s+sidecar\s+running\s+\S+\s+0\s+\d+\.\d%\s+[\d.]+MiB/m);
    expect(out.trimEnd().endsWith('watched stopped')).toBe(true);
    expect(out).not.toContain('\u001B[');
  });

  it('on a terminal: redrawn in place (cursor up and clear), not scrolled', async () => {
    const p = busyAndIdle();
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    // `script` gives the command a pseudo-terminal, as a user's shell does.
    const tty = execa('script', ['-qec', `${process.execPath} ${bin} ps --watch --interval 300ms`, '/dev/null'], {cwd: p.dir, env: {...p.env, TERM: 'xterm'}, reject: false, all: true, timeout: 60_000});
    let out = '';
    tty.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const redraw = new RegExp(String.raw`\u001B\[\d+A\u001B\[0J`);
    await eventually(() => redraw.test(out), 30_000, 'a redraw');
    tty.kill('SIGTERM');
    await tty;
    expect(out).not.toMatch(/^--- /m);
  });

  it('with no stack: exit 5 and how to start one', async () => {
    const p = busyAndIdle();
    const result = await watch(p, []);
    expect(result.exitCode).toBe(5);
    expect(result.stderr).toContain('sidecar up -d');
  });
});
