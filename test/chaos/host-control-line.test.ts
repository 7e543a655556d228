import net from 'node:net';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, freePort, project, readJson, type Project} from '../integration/cli/cli-harness.js';
import {peakRssMb, supervisorPid, timedCli} from './host-chaos-harness.js';

// Issue 9.9: one control request line of 100 MB took the supervisor to 1.45 GB
// and stalled its probes until a healthy app was restarted. Request lines are
// capped (as containerd caps its gRPC messages): the connection is dropped with
// an error, memory stays bounded and the stack carries on.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await timedCli(p, ['down', '--timeout', '1s']);
});

// Writes `total` bytes without a newline; resolves with what the server sent back.
function flood(socketPath: string, total: number): Promise<{answer: string; sent: number}> {
  return new Promise((resolve) => {
    const socket = net.createConnection(socketPath);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    let answer = '';
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
      socket.end();
    };
    socket.on('connect', pump);
    socket.on('data', (data) => (answer += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({answer, sent}));
  });
}

describe('chaos: a 100 MB control line', () => {
  it('is refused with an error, memory stays bounded, probes and the app carry on', async () => {
    const port = await freePort();
    const p = project(`version: 1
name: flooded
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "${port}", NAME: app, SIDECAR_TEST_MARK: "\${MARK}"}
  health: {http: {port: ${port}, path: /healthz}, interval: 500ms, retries: 5}
  stopTimeout: 1s
`);
    live.push(p);
    const up = await timedCli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const pid = supervisorPid(p);
    const {socket} = readJson<{socket: string}>(path.join(p.dir, '.sidecar/supervisor.json'));
    const before = peakRssMb(pid);

    const {answer, sent} = await flood(socket, 100 * 1024 * 1024);
    const after = peakRssMb(pid);
    console.log(`supervisor peak RSS ${before} MB before, ${after} MB after a 100 MB line (${sent} bytes sent)`);
    expect(answer).toMatch(/"type":"error"/);
    expect(answer).toMatch(/over \d+ MB/);
    // Dropped well before the whole 100 MB went through.
    expect(sent).toBeLessThan(100 * 1024 * 1024);
    expect(after - before).toBeLessThan(150);

    const ps = await timedCli(p, ['ps', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    const app = JSON.parse(ps.all.slice(ps.all.indexOf('{'))).services[0];
    expect(app).toMatchObject({state: 'running', health: 'healthy', restarts: 0});
  }, 120_000);
});
