import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, freePort, project, survivors, type Project} from './cli-harness.js';

// Issue 12.1 on real processes: Kubernetes' probes as the kubelet runs them. The
// readinessProbe gates the start and then only marks the container unready; the
// livenessProbe, a different check, restarts it. A second regular container starts
// with the app (the app does not wait for it to be ready), and the app keeps its
// container name.
interface Status {
  name: string;
  role: string;
  state: string;
  health: string;
  restarts: number;
  pid: number | null;
}

describe('Kubernetes probes and regular containers under the process runtime', () => {
  let p: Project;
  let webPort: number;
  const flag = (name: string) => path.join(p.dir, name);
  const status = async (): Promise<Status[]> => {
    const ps = await cli(p, ['ps', '-f', 'pod.yaml', '--json']);
    return (JSON.parse(ps.stdout) as {services: Status[]}).services;
  };
  const web = async () => (await status()).find((s) => s.name === 'api/web')!;

  beforeAll(async () => {
    ensureBuilt();
    p = project('');
    webPort = await freePort();
    const exporterPort = await freePort();
    const log = path.join(p.dir, 'order.log');
    const append = (word: string) => `require('fs').appendFileSync(${JSON.stringify(log)}, '${word}\\n')`;
    // /ready fails while ./not-ready exists, /live while ./dead exists.
    const server = `${append('web-start')}; const fs = require('fs'); require('http').createServer((q, s) => {
      const bad = q.url === '/ready' ? fs.existsSync('not-ready') : q.url === '/live' ? fs.existsSync('dead') : false;
      s.statusCode = bad ? 500 : 200; s.end(bad ? 'no' : 'ok');
    }).listen(${webPort}, '127.0.0.1')`;
    const exporter = `${append('exporter-start')}; setTimeout(() => { ${append('exporter-ready')}; require('net').createServer().listen(${exporterPort}, '127.0.0.1') }, 2500)`;
    writeFileSync(path.join(p.dir, 'pod.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: api}
spec:
  terminationGracePeriodSeconds: 2
  containers:
    - name: web
      image: sidecar-test/node:20
      command: [node, -e, ${JSON.stringify(server)}]
      readinessProbe: {httpGet: {port: ${webPort}, path: /ready}, periodSeconds: 1, failureThreshold: 1}
      livenessProbe: {httpGet: {port: ${webPort}, path: /live}, periodSeconds: 1, failureThreshold: 2}
    - name: exporter
      image: sidecar-test/node:20
      command: [node, -e, ${JSON.stringify(exporter)}]
      readinessProbe: {tcpSocket: {port: ${exporterPort}}, periodSeconds: 1}
`);
  }, 120_000);
  afterAll(async () => {
    if (p) await cli(p, ['down', '-f', 'pod.yaml', '--timeout', '1s']);
  });

  it('starts the app with the other regular container, marks readiness without restarts, restarts on the livenessProbe alone; down leaves nothing', async () => {
    const up = await cli(p, ['up', '--wait', '-f', 'pod.yaml', '--runtime', 'process', '--timeout', '90s']);
    expect(up.exitCode, up.all).toBe(0);
    // The app started before the exporter was ready: it did not wait for it.
    const order = readFileSync(path.join(p.dir, 'order.log'), 'utf8').trim().split('\n');
    expect(order.indexOf('web-start'), order.join(',')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('web-start'), order.join(',')).toBeLessThan(order.indexOf('exporter-ready'));
    const first = await status();
    expect(first.map((s) => [s.name, s.role, s.state, s.health])).toEqual([
      ['api/exporter', 'sidecar', 'running', 'healthy'],
      ['api/web', 'app', 'running', 'healthy'],
    ]);
    const webPid = first.find((s) => s.name === 'api/web')!.pid;
    const exporterPid = first.find((s) => s.name === 'api/exporter')!.pid;

    // Readiness fails: unready, never restarted (Kubernetes only takes it out of its Services).
    writeFileSync(flag('not-ready'), '');
    await eventually(async () => (await web()).health === 'unhealthy', 20_000, 'web marked unhealthy');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await web()).toMatchObject({state: 'running', health: 'unhealthy', restarts: 0, pid: webPid});
    rmSync(flag('not-ready'));
    await eventually(async () => (await web()).health === 'healthy', 20_000, 'web healthy again');

    // Liveness fails: restarted, the other container untouched.
    writeFileSync(flag('dead'), '');
    await eventually(async () => (await web()).restarts >= 1, 30_000, 'web restarted by its livenessProbe');
    rmSync(flag('dead'));
    const after = await eventually(async () => {
      const now = await web();
      return now.state === 'running' && now.health === 'healthy' ? now : undefined;
    }, 30_000, 'web running again');
    expect(after.pid).not.toBe(webPid);
    expect((await status()).find((s) => s.name === 'api/exporter')).toMatchObject({state: 'running', restarts: 0, pid: exporterPid});

    const down = await cli(p, ['down', '-f', 'pod.yaml', '--timeout', '5s']);
    expect(down.exitCode, down.all).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'no process of the stack left');
  }, 240_000);
});
