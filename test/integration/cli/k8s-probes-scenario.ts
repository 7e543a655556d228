import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {projectNameFromDir} from '../../../src/manifest/normalize.js';
import {cli, ensureBuilt, eventually, freePort, project, survivors, type Project} from './cli-harness.js';

// Issue 12.1 on a real runtime: Kubernetes' probes as the kubelet runs them. The
// readinessProbe gates the start and then only marks the container unready; the
// livenessProbe, a different check, restarts it. A second regular container
// starts with the app (the app does not wait for it to be ready), and the app
// keeps its container name. Run by k8s-probes-process.test.ts and
// ../docker/k8s-probes-docker.test.ts.
interface Status {
  name: string;
  role: string;
  state: string;
  health: string;
  restarts: number;
  pid: number | null;
  containerId?: string;
}

// The app answers /ready and /live with 200 until told otherwise (/fail-ready,
// /fail-live, /heal), and /seen says whether the exporter listened when it started.
function server(port: number, exporterPort: number): string {
  return `const http = require('http'); const net = require('net'); let ready = true, live = true, seen = 'pending';
const probe = net.connect(${exporterPort}, '127.0.0.1'); probe.on('connect', () => { seen = 'listening'; probe.destroy(); }); probe.on('error', () => { seen = 'not-listening'; });
http.createServer((q, s) => {
  if (q.url === '/fail-ready') ready = false; else if (q.url === '/fail-live') live = false; else if (q.url === '/heal') ready = live = true;
  const bad = (q.url === '/ready' && !ready) || (q.url === '/live' && !live);
  s.statusCode = bad ? 500 : 200; s.end(q.url === '/seen' ? seen : bad ? 'no' : 'ok');
}).listen(${port}, '0.0.0.0')`;
}

export function k8sProbesScenario(runtime: 'process' | 'docker'): void {
  let p: Project;
  let port: number;
  const status = async (): Promise<Status[]> => {
    const ps = await cli(p, ['ps', '-f', 'pod.yaml', '--json']);
    return (JSON.parse(ps.stdout) as {services: Status[]}).services;
  };
  const web = async () => (await status()).find((s) => s.name === 'api/web')!;
  const call = async (url: string) => (await fetch(`http://127.0.0.1:${port}${url}`)).text();
  const identity = (s: Status | undefined) => (runtime === 'docker' ? s?.containerId : s?.pid);

  beforeAll(async () => {
    ensureBuilt();
    p = project('');
    port = await freePort();
    const exporterPort = await freePort();
    // The exporter listens only once the app has looked for it (its /seen is no
    // longer pending), not after a fixed 3 s a slow start of the app could outlast.
    const exporter = `const http = require('http'); const deadline = Date.now() + 60000;
const listen = () => require('net').createServer().listen(${exporterPort}, '0.0.0.0');
const poll = () => http.get('http://127.0.0.1:${port}/seen', (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => (b === 'pending' && Date.now() < deadline ? setTimeout(poll, 50) : listen())); })
  .on('error', () => (Date.now() < deadline ? setTimeout(poll, 50) : listen()));
poll();`;
    writeFileSync(path.join(p.dir, 'pod.yaml'), `apiVersion: v1
kind: Pod
metadata: {name: api}
spec:
  terminationGracePeriodSeconds: 2
  containers:
    - name: web
      image: sidecar-test/node:20
      command: [node, -e, ${JSON.stringify(server(port, exporterPort))}]
      ports: [{containerPort: ${port}, hostPort: ${port}}]
      readinessProbe: {httpGet: {port: ${port}, path: /ready}, periodSeconds: 1, failureThreshold: 1}
      livenessProbe: {httpGet: {port: ${port}, path: /live}, periodSeconds: 1, timeoutSeconds: 5, failureThreshold: 3}
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
    const up = await cli(p, ['up', '--wait', '-f', 'pod.yaml', '--runtime', runtime, '--timeout', '120s']);
    expect(up.exitCode, up.all).toBe(0);
    // The app started before the exporter listened: it did not wait for it.
    expect(await eventually(async () => {
      const seen = await call('/seen');
      return seen === 'pending' ? undefined : seen;
    }, 10_000, 'the app saw the exporter or not')).toBe('not-listening');
    const first = await status();
    expect(first.map((s) => [s.name, s.role, s.state, s.health])).toEqual([
      ['api/exporter', 'sidecar', 'running', 'healthy'],
      ['api/web', 'app', 'running', 'healthy'],
    ]);
    const webId = identity(first.find((s) => s.name === 'api/web'));
    const exporterId = identity(first.find((s) => s.name === 'api/exporter'));
    expect(webId).toBeTruthy();

    // Readiness fails: unready, never restarted (Kubernetes only takes it out of its Services).
    await call('/fail-ready');
    await eventually(async () => (await web()).health === 'unhealthy', 20_000, 'web marked unhealthy');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const unready = await web();
    expect(unready).toMatchObject({state: 'running', health: 'unhealthy', restarts: 0});
    expect(identity(unready)).toBe(webId);
    await call('/heal');
    await eventually(async () => (await web()).health === 'healthy', 20_000, 'web healthy again');

    // Liveness fails: restarted (a new process or container answers /live again), the other container untouched.
    await call('/fail-live');
    const after = await eventually(async () => {
      const now = await web();
      return now.restarts >= 1 && now.state === 'running' && now.health === 'healthy' ? now : undefined;
    }, 60_000, 'web restarted by its livenessProbe and ready again');
    expect(identity(after)).not.toBe(webId);
    expect(await call('/live')).toBe('ok');
    const exporterNow = (await status()).find((s) => s.name === 'api/exporter');
    expect(exporterNow).toMatchObject({state: 'running', restarts: 0});
    expect(identity(exporterNow)).toBe(exporterId);

    const down = await cli(p, ['down', '-f', 'pod.yaml', '--timeout', '5s']);
    expect(down.exitCode, down.all).toBe(0);
    if (runtime === 'process') await eventually(() => survivors(p.mark).length === 0, 10_000, 'no process of the stack left');
    else {
      const {default: Docker} = await import('dockerode');
      const left = await new Docker().listContainers({all: true, filters: {label: [`sidecar.project=${projectNameFromDir(p.dir)}`]}});
      expect(left.map((c) => c.Names)).toEqual([]);
    }
  }, 300_000);
}
