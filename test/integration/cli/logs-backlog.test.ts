import {readFileSync} from 'node:fs';
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
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

// A stack whose `flood` sidecar prints LINES lines 1.5s after it starts (time
// for the test to attach a stalled reader), then exits for good; the app stays up.
async function floodStack(lines: number): Promise<{p: Project; supervisor: number; socket: string}> {
  const p = project(`version: 1
name: backlog
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
sidecars:
  flood:
    command: [node, -e, "setTimeout(() => import(process.env.FLOODER), 1500)"]
    env: {FLOODER: "\${PROGRAMS}/flooder.js", LINES: "${lines}", LINE_BYTES: "100", TAG: flood, SIDECAR_TEST_MARK: "\${MARK}"}
    restart: never
`);
  live.push(p);
  const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
  expect(up.exitCode, up.all).toBe(0);
  const record = readJson<{socket: string; pid: number}>(path.join(p.dir, '.sidecar/supervisor.json'));
  return {p, supervisor: record.pid, socket: record.socket};
}

// A `logs -f` client on the raw socket that does not read until resumed.
async function stalledFollower(socketPath: string): Promise<{resume: () => void; text: () => string; close: () => void}> {
  const socket = net.createConnection(socketPath);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(JSON.stringify({method: 'logs', services: ['flood'], follow: true}) + '\n');
  socket.pause();
  let text = '';
  return {
    resume: () => {
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.resume();
    },
    text: () => text,
    close: () => socket.destroy(),
  };
}

function logHas(p: Project, text: string): boolean {
  try {
    return readFileSync(path.join(p.dir, '.sidecar/logs/flood.log'), 'utf8').includes(text);
  } catch {
    return false;
  }
}

function floodIndexes(text: string): number[] {
  return [...text.matchAll(/flood (\d+) /g)].map((m) => Number(m[1]));
}

describe('logs -f from a reader slower than the services', () => {
  it('gets every line in order at its own pace, from the files, once it reads again', async () => {
    const {p, socket} = await floodStack(150_000);
    const reader = await stalledFollower(socket);
    await eventually(() => logHas(p, 'flood 149999 '), 60_000, 'the flood to reach the log file');
    reader.resume();
    await eventually(() => reader.text().includes('flood 149999 '), 60_000, 'the reader to catch up');
    reader.close();
    const seen = floodIndexes(reader.text());
    expect(seen.length).toBe(150_000);
    expect(seen.every((n, i) => n === i)).toBe(true);
    expect(reader.text()).not.toMatch(/rotated away/);
  });

  it('costs the supervisor no memory while stalled, and says so when lines rotated away', async () => {
    // ~84 MB of output: more than the kept log files (3 x 10 MiB) and than any sane buffer.
    const {p, supervisor, socket} = await floodStack(600_000);
    const reader = await stalledFollower(socket);
    let peakKiB = 0;
    await eventually(() => {
      peakKiB = Math.max(peakKiB, rssKiB(supervisor));
      return logHas(p, 'flood 599999 ');
    }, 90_000, 'the flood to reach the log file');
    expect(peakKiB).toBeLessThan(150 * 1024);
    reader.resume();
    await eventually(() => reader.text().includes('flood 599999 '), 60_000, 'the reader to reach the end');
    reader.close();
    expect(reader.text()).toMatch(/rotated away/);
    const seen = floodIndexes(reader.text());
    expect(seen.every((n, i) => i === 0 || n > seen[i - 1]!)).toBe(true);
  });
});
