import {readdirSync, readFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, readJson, type Project} from './cli-harness.js';

const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

describe('logs -f from a reader slower than the services', () => {
  it('keeps the supervisor bounded, says how many lines it skipped, and the files keep every line', async () => {
    // ~60 MB of output, twice the follow backlog limit, with nobody reading the socket.
    const p = project(`version: 1
name: backlog
app:
  command: [node, \${PROGRAMS}/flooder.js]
  env: {LINES: "600000", LINE_BYTES: "100", TAG: flood, SIDECAR_TEST_MARK: "\${MARK}"}
  restart: never
sidecars:
  idle:
    command: [node, \${PROGRAMS}/forever.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
`);
    live.push(p);
    // The flooder must not start before the stalled reader is attached: start only the sidecar first.
    const up = await cli(p, ['up', '--wait', '--runtime', 'process', 'idle']);
    expect(up.exitCode, up.all).toBe(0);
    const record = readJson<{socket: string; pid: number}>(path.join(p.dir, '.sidecar/supervisor.json'));

    const socket = net.createConnection(record.socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(JSON.stringify({method: 'logs', services: [], follow: true}) + '\n');
    socket.pause();

    const restart = await cli(p, ['restart', 'app']);
    expect(restart.exitCode, restart.all).toBe(0);
    const logFile = path.join(p.dir, '.sidecar/logs/app.log');
    let peakKiB = 0;
    await eventually(() => {
      peakKiB = Math.max(peakKiB, rssKiB(record.pid));
      try {
        return readFileSync(logFile, 'utf8').includes('flood 599999 ');
      } catch {
        return false;
      }
    }, 60_000, 'the flood to reach the log file');
    // 60 MB went by; the stalled reader may hold at most the 32 MiB backlog plus the runtime.
    expect(peakKiB).toBeLessThan(200 * 1024);

    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.resume();
    await eventually(() => /lines skipped: this reader fell behind/.test(text), 30_000, 'the skipped-lines notice');
    socket.destroy();
    // The files keep every line up to their rotation limit: the retained lines
    // are one unbroken run that ends with the last line printed.
    const retained = readdirSync(path.dirname(logFile))
      .filter((f) => f.startsWith('app.log'))
      .flatMap((f) => readFileSync(path.join(path.dirname(logFile), f), 'utf8').split('\n'))
      .flatMap((l) => /flood (\d+) /.exec(l)?.[1] ?? [])
      .map(Number)
      .sort((a, b) => a - b);
    expect(retained.at(-1)).toBe(599_999);
    expect(retained.length).toBeGreaterThan(100_000);
    expect(retained.length).toBe(retained.at(-1)! - retained[0]! + 1);
  });
});
