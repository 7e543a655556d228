import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest} from '../../../src/manifest/load.js';
import {assertProcessPortsDistinct} from '../../../src/manifest/process-port-clash.js';
import {prepareUp} from '../../../src/stack/prepare-up.js';

// Issue 10.3 / DESIGN "Several pods": under the process runtime every pod shares
// the host's loopback, so a port two pods listen on (declared or probed) is exit 3
// before anything starts, naming both places. Docker gives each pod its own namespace.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-port-clash-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

function write(yaml: string): string {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, 'sidecar.yaml'), yaml);
  return path.join(dir, 'sidecar.yaml');
}

function clashes(file: string, run: () => void): string[] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    expect(error.code).toBe('SIDECAR_MANIFEST_INVALID');
    expect(error.exitCode).toBe(3);
    for (const problem of error.problems) expect(problem.suggestion).toMatch(/every pod shares the host's loopback.*--runtime docker/);
    return error.problems.map((p) => `${p.place?.file === file ? 'FILE' : p.place?.file}:${p.place?.line}:${p.place?.column} ${p.place?.path} | ${p.message}`.replaceAll(file, 'FILE'));
  }
  return [];
}

const CASES: {name: string; yaml: string; expected: RegExp[]}[] = [
  {
    name: 'the same container port declared in two pods',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x], ports: ["18080:8080"]}\n  api:\n    app: {command: [x], ports: ["18081:8080"]}\n',
    expected: [/^FILE:6:33 pods\.api\.app\.ports\[0\] \| port 8080\/tcp is used by two pods: api\/app declares it, and web\/app declares it at FILE:4:33 pods\.web\.app\.ports\[0\]$/],
  },
  {
    name: 'a probe port of one pod declared by another pod',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x], ports: ["9000"]}\n  api:\n    app: {command: [x]}\n    sidecars:\n      proxy: {command: [p], health: {http: {port: 9000}}}\n',
    expected: [/^FILE:8:51 pods\.api\.sidecars\.proxy\.health\.http\.port \| port 9000\/tcp is used by two pods: api\/proxy is probed on it, and web\/app declares it at FILE:4:33 pods\.web\.app\.ports\[0\]$/],
  },
  {
    name: 'probe ports in three pods: each later pod named once, against the first',
    yaml: 'version: 1\npods:\n  a:\n    app: {command: [x], health: {tcp: {port: 7000}}}\n  b:\n    app: {command: [x], health: {tcp: {port: 7000}}}\n  c:\n    app: {command: [x], health: {tcp: {port: 7000}}}\n',
    expected: [
      /^FILE:6:46 pods\.b\.app\.health\.tcp\.port \| port 7000\/tcp is used by two pods: b\/app is probed on it, and a\/app is probed on it at FILE:4:46 pods\.a\.app\.health\.tcp\.port$/,
      /^FILE:8:46 pods\.c\.app\.health\.tcp\.port \| port 7000\/tcp is used by two pods: c\/app is probed on it, and a\/app is probed on it at FILE:4:46/,
    ],
  },
  {
    name: 'tcp and udp on one number do not clash',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x], ports: ["5353:53/udp"]}\n  api:\n    app: {command: [x], health: {tcp: {port: 53}}}\n',
    expected: [],
  },
  {
    name: 'distinct ports in every pod',
    yaml: 'version: 1\npods:\n  web:\n    app: {command: [x], ports: ["8080"], health: {http: {port: 8080}}}\n  api:\n    app: {command: [x], ports: ["8081"], health: {http: {port: 8081}}}\n',
    expected: [],
  },
];

describe('process runtime: ports that clash across pods (issue 10.3)', () => {
  it.each(CASES)('$name', async ({yaml, expected}) => {
    const file = write(yaml);
    const manifest = await loadManifest(file, {env: {}});
    const list = clashes(file, () => assertProcessPortsDistinct(manifest));
    expect(list, list.join('\n')).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(list[i], list.join('\n')).toMatch(pattern));
  });

  it('the manifest path is the one the user gave, also when the manifest is not the loaded object', async () => {
    const file = write(CASES[0]!.yaml);
    const manifest = await loadManifest(file, {env: {}});
    // A copy (as prepare-up makes for build hashes) still finds the file's places.
    const list = clashes(file, () => assertProcessPortsDistinct({...manifest}));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^FILE:6:33 .*at FILE:4:33/);
  });

  it('prepareUp refuses a clash under the process runtime before anything starts, and releases the project', async () => {
    const file = write(CASES[0]!.yaml);
    const error: unknown = await prepareUp(file, 'process', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SidecarError);
    expect((error as SidecarError).code).toBe('SIDECAR_MANIFEST_INVALID');
    expect((error as SidecarError).exitCode).toBe(3);
    expect((error as SidecarError).problems[0]!.message).toMatch(/port 8080\/tcp is used by two pods/);
    // The lock was released: a second attempt meets the same error, not "already running".
    const again: unknown = await prepareUp(file, 'process', []).catch((e: unknown) => e);
    expect((again as SidecarError).code).toBe('SIDECAR_MANIFEST_INVALID');
  });
});

// Kubernetes input: the same clashes are reported at the Kubernetes field, with
// the Kubernetes path, as every other problem of such a file is (issue 12.1);
// a container's containerPort is a port its program listens on, published or not.
const deployment = (name: string, container: string, port: number, probe = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: ${container}
          image: busybox
          ports:
            - containerPort: ${port}
${probe}`;

describe('process runtime: ports that clash across pods of a Kubernetes file', () => {
  const writeK8s = (yaml: string): string => {
    const dir = mkdtempSync(path.join(root, 'k8s-'));
    writeFileSync(path.join(dir, 'pods.yaml'), yaml);
    return path.join(dir, 'pods.yaml');
  };

  it('two Deployments declaring one containerPort: at the second containerPort, naming the first', async () => {
    const file = writeK8s(`${deployment('web', 'main', 8080)}---\n${deployment('api', 'server', 8080)}`);
    const manifest = await loadManifest(file, {env: {}});
    const list = clashes(file, () => assertProcessPortsDistinct(manifest));
    expect(list).toEqual([
      'FILE:29:30 spec.template.spec.containers[0].ports[0].containerPort | port 8080/tcp is used by two pods: api/server declares it, and web/main declares it at FILE:14:30 spec.template.spec.containers[0].ports[0].containerPort',
    ]);
  });

  it('a probe on a port another pod declares: at the probe\'s port', async () => {
    const probe = '          readinessProbe:\n            httpGet: {path: /, port: 9000}\n';
    const file = writeK8s(`${deployment('web', 'main', 9000)}---\n${deployment('api', 'server', 9001, probe)}`);
    const manifest = await loadManifest(file, {env: {}});
    const list = clashes(file, () => assertProcessPortsDistinct(manifest));
    expect(list).toEqual([
      'FILE:31:38 spec.template.spec.containers[0].readinessProbe.httpGet.port | port 9000/tcp is used by two pods: api/server is probed on it, and web/main declares it at FILE:14:30 spec.template.spec.containers[0].ports[0].containerPort',
    ]);
  });

  it('two probes on one port (no containerPort): at the later probe, not at 1:1 with a sidecar.yaml path', async () => {
    const probe = '          livenessProbe:\n            tcpSocket: {port: 7000}\n';
    const file = writeK8s(`${deployment('web', 'main', 8080, probe)}---\n${deployment('api', 'server', 8081, probe)}`);
    const manifest = await loadManifest(file, {env: {}});
    const list = clashes(file, () => assertProcessPortsDistinct({...manifest}));
    expect(list).toEqual([
      'FILE:33:31 spec.template.spec.containers[0].livenessProbe.tcpSocket.port | port 7000/tcp is used by two pods: api/server is probed on it, and web/main is probed on it at FILE:16:31 spec.template.spec.containers[0].livenessProbe.tcpSocket.port',
    ]);
  });

  it('a Service publishing a targetPort no container declares: at the Service\'s port', async () => {
    const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {app: api}\n  ports:\n    - {port: 80, targetPort: 8080}\n';
    const file = writeK8s(`${deployment('web', 'main', 8080)}---\n${deployment('api', 'server', 8081)}---\n${service}`);
    const manifest = await loadManifest(file, {env: {}});
    const list = clashes(file, () => assertProcessPortsDistinct(manifest));
    expect(list).toEqual([
      'FILE:38:7 spec.ports[0] | port 8080/tcp is used by two pods: api/server declares it, and web/main declares it at FILE:14:30 spec.template.spec.containers[0].ports[0].containerPort',
    ]);
  });
});

