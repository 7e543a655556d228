import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {kubernetesToManifest} from '../../../src/manifest/k8s/kubernetes.js';
import {looksLikeKubernetes, parseKubernetes} from '../../../src/manifest/k8s/k8s-source.js';
import {loadManifestWithWarnings} from '../../../src/manifest/load.js';
import {addSidecarToManifest} from '../../../src/scaffold/add-sidecar.js';
import type {Loss} from '../../../src/manifest/loss.js';
import type {Manifest, Service} from '../../../src/manifest/types.js';
import {gatesOf} from '../../../src/supervisor/start-plan.js';
import {k8sDocuments} from '../../../src/generate/k8s.js';

// Issue 12.1-12.2: Kubernetes documents -> pods of the stack, with losses listed
// and every problem at file:line:column with its Kubernetes path.
const FILE = '/project/pod.yaml';

function mapped(text: string): {manifest: Manifest; losses: Loss[]; problems: string[]} {
  const {source, problems} = parseKubernetes(FILE, text);
  const result = kubernetesToManifest(source, problems);
  return {manifest: result.manifest, losses: result.losses, problems: result.problems.map((p) => `${p.place!.line}:${p.place!.column} ${p.place!.path}: ${p.message}`)};
}

const service = (manifest: Manifest, id: string): Service => {
  const found = manifest.pods.flatMap((pod) => [...pod.init, ...pod.sidecars, pod.app]).find((s) => s.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};
const lossAt = (losses: Loss[], feature: string): Loss | undefined => losses.find((loss) => loss.feature.includes(feature));

const pod = (spec: string, meta = '') => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n${meta}spec:\n${spec}`;

interface Case {
  name: string;
  yaml: string;
  check: (result: ReturnType<typeof mapped>) => void;
}

const cases: Case[] = [
  {
    name: 'native sidecars in order, init jobs, the first container as the app',
    yaml: pod(`  initContainers:
    - {name: migrate, image: m}
    - {name: proxy, image: p, restartPolicy: Always}
    - {name: logs, image: l, restartPolicy: Always}
  containers:
    - {name: main, image: a}
`),
    check: ({manifest, problems}) => {
      expect(problems).toEqual([]);
      const [web] = manifest.pods;
      expect(manifest.form).toBe('pods');
      expect(web!.name).toBe('web');
      expect(web!.init.map((s) => s.name)).toEqual(['migrate']);
      expect(web!.sidecars.map((s) => [s.name, s.restart])).toEqual([['proxy', 'always'], ['logs', 'always']]);
      expect(web!.app).toMatchObject({name: 'main', id: 'web/main', role: 'app', restart: 'always', stopTimeoutMs: 30_000});
      expect(web!.startup).toBe('ordered');
    },
  },
  {
    name: 'further containers are sidecars withApp: started with the app after the native ones, the app not waiting for them; sidecar.dev/app picks the app',
    yaml: pod(`  initContainers:
    - {name: a, image: x, restartPolicy: Always}
    - {name: b, image: x, restartPolicy: Always}
  containers:
    - {name: exporter, image: x}
    - {name: server, image: x}
    - {name: shipper, image: x}
`, '  annotations:\n    sidecar.dev/app: server\n'),
    check: ({manifest, problems}) => {
      expect(problems).toEqual([]);
      const [web] = manifest.pods;
      expect(web!.app.name).toBe('server');
      expect(web!.startup).toBe('ordered');
      expect(web!.sidecars.map((s) => [s.name, s.withApp ?? false])).toEqual([['a', false], ['b', false], ['exporter', true], ['shipper', true]]);
      // Each native sidecar waits for the one before; the app and the regular containers for the natives only.
      expect(Object.fromEntries([...web!.sidecars, web!.app].map((s) => [s.name, gatesOf(web!, s)]))).toEqual({a: [], b: ['a'], exporter: ['a', 'b'], shipper: ['a', 'b'], server: ['a', 'b']});
    },
  },
  {
    name: 'containerPorts no hostPort publishes are kept (listens) and come back from generate k8s',
    yaml: pod(`  containers:
    - name: app
      image: x
      ports: [{containerPort: 8080}, {containerPort: 9090, hostPort: 9090}, {containerPort: 53, protocol: UDP}]
`),
    check: ({manifest, problems}) => {
      expect(problems).toEqual([]);
      expect(service(manifest, 'web/app').listens).toEqual([{port: 8080, protocol: 'tcp'}, {port: 53, protocol: 'udp'}]);
      const generated = k8sDocuments(manifest, {kind: 'pod'}).documents.find((d) => d.kind === 'Pod') as unknown as {spec: {containers: {ports?: unknown[]}[]}};
      expect(generated.spec.containers[0]!.ports).toEqual([
        {containerPort: 9090, protocol: 'TCP'},
        {containerPort: 8080, protocol: 'TCP'},
        {containerPort: 53, protocol: 'UDP'},
      ]);
    },
  },
  {
    name: 'command replaces the entrypoint, args follow, $(VAR) expands; args alone stay the CMD',
    yaml: pod(`  containers:
    - name: app
      image: x
      command: [sh, -c]
      args: ['echo $(GREETING) $$(HOME)']
      env: [{name: GREETING, value: hi}]
      workingDir: /srv
    - name: side
      image: x
      args: [--port, "9000"]
`),
    check: ({manifest}) => {
      expect(service(manifest, 'web/app')).toMatchObject({command: ['sh', '-c', 'echo hi $(HOME)'], replacesEntrypoint: true, workingDir: '/srv'});
      expect(service(manifest, 'web/side').command).toEqual(['--port', '9000']);
      expect(service(manifest, 'web/side').replacesEntrypoint).toBeUndefined();
    },
  },
  {
    name: 'env from values, ConfigMap and Secret keys, fieldRef, envFrom with a prefix (env wins)',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {MODE: fast, LEVEL: debug}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {TOKEN: c2VjcmV0}
stringData: {USER: admin}
---
${pod(`  containers:
    - name: app
      image: x
      envFrom:
        - configMapRef: {name: cfg}
          prefix: CFG_
        - secretRef: {name: creds}
      env:
        - {name: CFG_MODE, value: slow}
        - {name: TOKEN_COPY, valueFrom: {secretKeyRef: {name: creds, key: TOKEN}}}
        - {name: LEVEL, valueFrom: {configMapKeyRef: {name: cfg, key: LEVEL}}}
        - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
        - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        - {name: MISSING, valueFrom: {configMapKeyRef: {name: absent, key: X}}}
`)}`,
    check: ({manifest, losses, problems}) => {
      expect(problems).toEqual([]);
      expect(service(manifest, 'web/app').env).toEqual({CFG_MODE: 'slow', CFG_LEVEL: 'debug', TOKEN: 'secret', USER: 'admin', TOKEN_COPY: 'secret', LEVEL: 'debug', NAME: 'web', NS: 'default', IP: '${pods.web.host}'});
      expect(lossAt(losses, 'env[6].valueFrom.fieldRef')?.message).toMatch(/spec.nodeName has no local value/);
      expect(lossAt(losses, 'env[7].valueFrom.configMapKeyRef')?.message).toMatch(/ConfigMap absent is not in the file/);
    },
  },
  {
    name: 'probes: startupProbe gates (bound = period x threshold) then marks readiness, livenessProbe runs on its own and restarts, grpc is a loss',
    yaml: pod(`  initContainers:
    - name: proxy
      image: x
      restartPolicy: Always
      ports: [{name: admin, containerPort: 9901}]
      startupProbe: {httpGet: {path: /ready, port: admin, scheme: HTTPS, httpHeaders: [{name: X-A, value: b}]}, periodSeconds: 2, failureThreshold: 15, initialDelaySeconds: 1}
      livenessProbe: {httpGet: {path: /ready, port: admin, scheme: HTTPS, httpHeaders: [{name: X-A, value: b}]}, periodSeconds: 5, failureThreshold: 4, timeoutSeconds: 3}
    - name: cache
      image: x
      restartPolicy: Always
      readinessProbe: {tcpSocket: {port: 6379}, periodSeconds: 3}
      livenessProbe: {exec: {command: [redis-cli, ping]}, initialDelaySeconds: 7}
    - name: grpc
      image: x
      restartPolicy: Always
      startupProbe: {grpc: {port: 50051}}
    - name: startup-and-readiness
      image: x
      restartPolicy: Always
      startupProbe: {tcpSocket: {port: 7000}}
      readinessProbe: {httpGet: {path: /ready, port: 7000}}
  containers:
    - {name: app, image: x, livenessProbe: {tcpSocket: {port: 8080}}}
`),
    check: ({manifest, losses, problems}) => {
      expect(problems).toEqual([]);
      const https = {kind: 'http', port: 9901, path: '/ready', scheme: 'https', headers: {'X-A': 'b'}};
      expect(service(manifest, 'web/proxy').health).toEqual({
        check: https,
        intervalMs: 2000, timeoutMs: 1000, retries: 15, startPeriodMs: 1000, startTimeoutMs: 31_000, afterReady: 'mark',
      });
      expect(service(manifest, 'web/proxy').liveness).toEqual({check: https, intervalMs: 5000, timeoutMs: 3000, retries: 4, startPeriodMs: 0});
      expect(lossAt(losses, 'initContainers[0]')).toBeUndefined();
      expect(service(manifest, 'web/cache').health).toMatchObject({check: {kind: 'tcp', port: 6379}, intervalMs: 3000, startTimeoutMs: 60_000, afterReady: 'mark'});
      expect(service(manifest, 'web/cache').liveness).toEqual({check: {kind: 'exec', command: ['redis-cli', 'ping']}, intervalMs: 10_000, timeoutMs: 1000, retries: 3, startPeriodMs: 7000});
      expect(lossAt(losses, 'initContainers[1]')).toBeUndefined();
      expect(service(manifest, 'web/grpc').health).toBeUndefined();
      expect(lossAt(losses, 'initContainers[2].startupProbe.grpc')?.message).toMatch(/gRPC/);
      expect(service(manifest, 'web/startup-and-readiness').health?.check).toEqual({kind: 'tcp', port: 7000});
      expect(lossAt(losses, 'initContainers[3].readinessProbe')?.message).toMatch(/startupProbe's check marks readiness/);
      // A livenessProbe alone: nothing gates the start, the check restarts.
      expect(service(manifest, 'web/app').health).toBeUndefined();
      expect(service(manifest, 'web/app').liveness?.check).toEqual({kind: 'tcp', port: 8080});
    },
  },
  {
    name: 'volumes: emptyDir a named volume per pod, configMap/secret read-only files, hostPath a bind, a PVC a stand-in with a loss',
    yaml: `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {app.conf: "a=1", other: "b"}
---
${pod(`  volumes:
    - {name: shared, emptyDir: {}}
    - name: conf
      configMap:
        name: cfg
        items: [{key: app.conf, path: conf/app.conf, mode: 0400}]
    - {name: host, hostPath: {path: /var/log}}
    - {name: data, persistentVolumeClaim: {claimName: pvc}}
    - {name: info, downwardAPI: {items: []}}
  containers:
    - name: app
      image: x
      volumeMounts:
        - {name: shared, mountPath: /shared}
        - {name: conf, mountPath: /etc/app}
        - {name: host, mountPath: /host, readOnly: true}
        - {name: data, mountPath: /data, subPath: x}
        - {name: info, mountPath: /info}
`)}`,
    check: ({manifest, losses, problems}) => {
      expect(problems).toEqual([]);
      expect(service(manifest, 'web/app').volumes).toEqual([
        {type: 'volume', source: 'web-shared', target: '/shared', readOnly: false},
        {type: 'bind', source: '.sidecar/k8s/web/conf', hostPath: '/project/.sidecar/k8s/web/conf', target: '/etc/app', readOnly: true},
        {type: 'bind', source: '/var/log', hostPath: '/var/log', target: '/host', readOnly: true},
        {type: 'volume', source: 'web-data', target: '/data', readOnly: false},
      ]);
      // An emptyDir goes with the stack, as with its pod; the PVC's stand-in stays.
      expect(manifest.volumes).toEqual({'web-shared': {name: 'web-shared', external: false, ephemeral: true}, 'web-data': {name: 'web-data', external: false}});
      expect(manifest.files).toEqual([{dir: '/project/.sidecar/k8s/web/conf', files: [{name: 'conf/app.conf', contentBase64: Buffer.from('a=1').toString('base64'), mode: 0o400}]}]);
      expect(lossAt(losses, 'persistentVolumeClaim')).toBeDefined();
      expect(lossAt(losses, 'volumeMounts[3].subPath')).toBeDefined();
      expect(lossAt(losses, 'volumes[4].downwardAPI')?.message).toMatch(/left out/);
    },
  },
  {
    name: 'a Service publishes port -> targetPort (by name) on 127.0.0.1; one selecting nothing is a loss; other kinds are ignored',
    yaml: `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: http}, {port: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: nobody}
spec: {selector: {app: none}, ports: [{port: 81}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge}
---
${pod(`  containers:
    - {name: app, image: x, ports: [{name: http, containerPort: 8080}]}
`, '  labels: {app: web}\n')}`,
    check: ({manifest, losses, problems}) => {
      expect(problems).toEqual([]);
      expect(service(manifest, 'web/app').ports).toEqual([
        {hostIp: '127.0.0.1', hostPort: 80, containerPort: 8080, protocol: 'tcp'},
        {hostIp: '127.0.0.1', hostPort: 9090, containerPort: 9090, protocol: 'tcp'},
      ]);
      expect(lossAt(losses, 'Service/nobody')?.message).toMatch(/selects no pod/);
      expect(lossAt(losses, 'Service/web spec.type')).toBeDefined();
      expect(losses.find((loss) => loss.feature === 'Ingress/edge')?.message).toMatch(/ignored/);
    },
  },
  {
    name: 'Deployment, StatefulSet and Job: restart policies, replicas, backoffLimit, grace period, resources, pod-level losses',
    yaml: `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 3
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      terminationGracePeriodSeconds: 5
      nodeSelector: {disk: ssd}
      containers:
        - {name: api, image: x, resources: {limits: {memory: 256Mi, cpu: 500m, nvidia.com/gpu: 1}, requests: {memory: 128Mi}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: OnFailure
      containers: [{name: job, image: x}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: x, volumeMounts: [{name: data, mountPath: /data}]}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce]}
`,
    check: ({manifest, losses, problems}) => {
      expect(problems).toEqual([]);
      expect(manifest.pods.map((p) => p.name)).toEqual(['api', 'migrate', 'db']);
      expect(service(manifest, 'api/api')).toMatchObject({restart: 'always', stopTimeoutMs: 5000, resources: {memoryBytes: 256 * 2 ** 20, cpus: 0.5}});
      expect(service(manifest, 'migrate/job')).toMatchObject({restart: 'on-failure', maxRestarts: 2});
      expect(service(manifest, 'db/db').volumes).toEqual([{type: 'volume', source: 'db-data', target: '/data', readOnly: false}]);
      expect(lossAt(losses, 'Deployment/api spec.replicas')?.message).toBe('one pod runs here, not 3');
      expect(lossAt(losses, 'spec.template.spec.nodeSelector')).toBeDefined();
      expect(lossAt(losses, 'resources.limits.nvidia.com/gpu')).toBeDefined();
      expect(lossAt(losses, 'volumeClaimTemplates[0]')).toBeDefined();
    },
  },
];

describe('Kubernetes YAML -> pods of the stack (issue 12.1)', () => {
  for (const c of cases) it(c.name, () => c.check(mapped(c.yaml)));
});

describe('Kubernetes YAML problems (issue 12.1: file:line:column + Kubernetes path, all at once)', () => {
  it('reports every problem of the file at its place', () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  volumes:
    - {name: shared, emptyDir: {}}
  initContainers:
    - {name: setup, image: x, restartPolicy: Never}
    - name: proxy
      image: x
      restartPolicy: Always
      startupProbe: {periodSeconds: 1}
  containers:
    - name: app
      image: x
      volumeMounts: [{name: sharde, mountPath: /shared}]
      livenessProbe: {tcpSocket: {port: http}, failureThreshold: "3"}
---
apiVersion: batch/v1
kind: Job
metadata: {name: Bad.Name}
spec:
  template:
    spec:
      containers: [{name: job, image: x}]
`;
    expect(mapped(text).problems.sort()).toEqual([
      '9:46 spec.initContainers[0].restartPolicy: an init container\'s restartPolicy can only be Always (a native sidecar), not Never',
      '13:21 spec.initContainers[1].startupProbe: startupProbe has no handler',
      '17:29 spec.containers[0].volumeMounts[0].name: no volume of the pod is named "sharde"',
      '18:41 spec.containers[0].livenessProbe.tcpSocket.port: no container port is named "http"',
      '18:66 spec.containers[0].livenessProbe.failureThreshold: failureThreshold must be a whole number from 1 to 9007199254740991, not "3"',
      '22:18 metadata.name: "Bad.Name" cannot name a pod: use lowercase letters, digits and "-" (at most 63)',
      '26:7 spec.template.spec: a Job\'s pod needs restartPolicy OnFailure or Never',
    ].sort());
  });

  it('names the annotation when sidecar.dev/app names no container, and duplicate container names', () => {
    const text = pod('  initContainers: [{name: app, image: x}]\n  containers: [{name: app, image: x}]\n', '  annotations:\n    sidecar.dev/app: server\n');
    expect(mapped(text).problems).toEqual([
      '6:22 metadata.annotations.sidecar.dev/app: sidecar.dev/app names "server", which is not one of the containers (app)',
      '8:3 spec: two containers of the pod are named "app"',
    ]);
  });

  it('is thrown as SIDECAR_MANIFEST_INVALID (exit 3) by the loader, with the file as the user named it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-k8s-'));
    afterAll(() => rmSync(dir, {recursive: true, force: true}));
    const file = path.join(dir, 'pod.yaml');
    writeFileSync(file, pod('  containers:\n    - name: app\n      image: x\n      env: [{name: A, valueFrom: {configMapKeyRef: {name: cfg, key: MISSING}}}]\n', '') + '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {OTHER: x}\n');
    const error = await loadManifestWithWarnings(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SidecarError);
    expect((error as SidecarError).code).toBe('SIDECAR_MANIFEST_INVALID');
    expect((error as SidecarError).exitCode).toBe(3);
    expect((error as SidecarError).problems.map((p) => `${p.place!.file}:${p.place!.line}:${p.place!.column} ${p.place!.path}`)).toEqual([`${file}:9:69 spec.containers[0].env[0].valueFrom.configMapKeyRef.key`]);
  });

  it('loads a valid file with its losses; a sidecar.yaml is not taken for Kubernetes', async () => {
    expect(looksLikeKubernetes('version: 1\napp:\n  command: [node, a.js]\n')).toBe(false);
    expect(looksLikeKubernetes('# a comment\n---\napiVersion: v1\nkind: Pod\n')).toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-k8s-'));
    afterAll(() => rmSync(dir, {recursive: true, force: true}));
    const file = path.join(dir, 'pod.yaml');
    writeFileSync(file, pod('  affinity: {}\n  containers: [{name: app, image: x}]\n'));
    const loaded = await loadManifestWithWarnings(file);
    expect(loaded.manifest).toMatchObject({source: 'kubernetes', form: 'pods', dir});
    expect(loaded.losses).toEqual([{feature: 'Pod/web spec.affinity', message: 'not carried over: sidecar has no equivalent'}]);
  });

  it('`add` refuses to rewrite Kubernetes YAML (usage error), leaving the file as it was', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-k8s-'));
    afterAll(() => rmSync(dir, {recursive: true, force: true}));
    const file = path.join(dir, 'pod.yaml');
    const text = pod('  containers: [{name: app, image: x}]\n');
    writeFileSync(file, text);
    const error = await addSidecarToManifest({file, template: 'http-proxy', force: false, copy: false}).catch((e: unknown) => e);
    expect((error as SidecarError).code).toBe('SIDECAR_USAGE');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
