import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, freePort, project, survivors, type Project} from './cli-harness.js';

// Issue 12.5 under the process runtime, where it makes sense: a Pod whose
// containers run `node` on the host. Init job, native sidecars in order (the
// first ready only once its startupProbe's port listens, after a delay),
// ConfigMap keys through envFrom and configMapKeyRef, the downward API, a
// readinessProbe on the app; nothing left after down.
const append = (word: string) => `require('fs').appendFileSync(process.env.LOG, '${word}\\n')`;

describe('Kubernetes YAML under sidecar up --runtime process', () => {
  let p: Project;
  let appPort: number;
  beforeAll(async () => {
    ensureBuilt();
    p = project('');
    appPort = await freePort();
    const slowPort = await freePort();
    const secondPort = await freePort();
    const log = path.join(p.dir, 'order.log');
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  GREETING: hello-from-configmap
  LOG: ${JSON.stringify(log)}
---
apiVersion: v1
kind: Pod
metadata: {name: api}
spec:
  terminationGracePeriodSeconds: 3
  volumes: [{name: scratch, emptyDir: {}}]
  initContainers:
    - name: prepare
      image: sidecar-test/node:20
      envFrom: [{configMapRef: {name: cfg}}]
      command: [node, -e, ${JSON.stringify(append('prepare'))}]
    - name: slow
      image: sidecar-test/node:20
      restartPolicy: Always
      envFrom: [{configMapRef: {name: cfg}}]
      command: [node, -e, ${JSON.stringify(`${append('slow-start')}; setTimeout(() => { ${append('slow-ready')}; require('net').createServer().listen(${slowPort}, '127.0.0.1') }, 1500)`)}]
      startupProbe: {tcpSocket: {port: ${slowPort}}, periodSeconds: 1, failureThreshold: 60}
    - name: second
      image: sidecar-test/node:20
      restartPolicy: Always
      envFrom: [{configMapRef: {name: cfg}}]
      command: [node, -e, ${JSON.stringify(`${append('second-start')}; require('net').createServer().listen(${secondPort}, '127.0.0.1')`)}]
      # Ready once it listens, after its line is written: the app's start is ordered after it.
      startupProbe: {tcpSocket: {port: ${secondPort}}, periodSeconds: 1, failureThreshold: 60}
  containers:
    - name: app
      image: sidecar-test/node:20
      env:
        - {name: LOG, valueFrom: {configMapKeyRef: {name: cfg, key: LOG}}}
        - {name: GREETING, valueFrom: {configMapKeyRef: {name: cfg, key: GREETING}}}
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: MESSAGE, value: "$(GREETING) from $(POD_NAME) at $(POD_IP)"}
      command: [node, -e, ${JSON.stringify(`${append('app-start')}; require('http').createServer((q, s) => s.end(process.env.MESSAGE)).listen(${appPort}, '127.0.0.1')`)}]
      readinessProbe: {httpGet: {port: ${appPort}, path: /}, periodSeconds: 1}
      volumeMounts: [{name: scratch, mountPath: /scratch}]
`;
    writeFileSync(path.join(p.dir, 'pod.yaml'), yaml);
  }, 120_000);
  afterAll(async () => {
    if (p) await cli(p, ['down', '-f', 'pod.yaml', '--timeout', '1s']);
  });

  it('runs the init job, then each native sidecar once the one before is ready, then the app; down leaves nothing, the emptyDir included', async () => {
    const up = await cli(p, ['up', '--wait', '-f', 'pod.yaml', '--runtime', 'process', '--timeout', '90s']);
    expect(up.exitCode, up.all).toBe(0);
    expect(readFileSync(path.join(p.dir, 'order.log'), 'utf8').trim().split('\n')).toEqual(['prepare', 'slow-start', 'slow-ready', 'second-start', 'app-start']);
    const response = await fetch(`http://127.0.0.1:${appPort}/`);
    expect(await response.text()).toBe('hello-from-configmap from api at 127.0.0.1');
    const ps = await cli(p, ['ps', '-f', 'pod.yaml', '--json']);
    const services = (JSON.parse(ps.stdout) as {services: {name: string; role: string; state: string}[]}).services;
    expect(services.map((s) => [s.name, s.role, s.state])).toEqual([['api/prepare', 'init', 'exited'], ['api/slow', 'sidecar', 'running'], ['api/second', 'sidecar', 'running'], ['api/app', 'app', 'running']]);

    // The emptyDir is a directory of the stack while it runs, and goes with it (as with its pod).
    const scratch = path.join(p.dir, '.sidecar', 'volumes', 'api-scratch');
    expect(existsSync(scratch)).toBe(true);
    const down = await cli(p, ['down', '-f', 'pod.yaml', '--timeout', '5s']);
    expect(down.exitCode, down.all).toBe(0);
    expect(existsSync(scratch)).toBe(false);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'no process of the stack left');
  }, 180_000);
});
