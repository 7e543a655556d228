import {existsSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, freePort, project, survivors, trackProjects} from './cli-harness.js';

const track = trackProjects();

// Issue 12.1: every problem about a Kubernetes file is at its file:line:column
// with the Kubernetes path, also those found after the mapping: the process
// runtime's port clashes between pods (`up`), generate's requirements.
const deployment = (name: string, port: number, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: main
          image: sidecar-test/busybox:1
          command: [sleep, "600"]
          env: [{name: SIDECAR_TEST_MARK, value: "\${MARK}"}]
          ports:
            - containerPort: ${port}
${extra}`;

describe('Kubernetes input: places of problems found after the mapping (CLI)', () => {
  beforeAll(() => ensureBuilt());

  it('up --runtime process: two Deployments on one containerPort, exit 3 at both Kubernetes fields, nothing started', async () => {
    const port = await freePort();
    const p = track(project(''));
    const yaml = `${deployment('web', port)}---\n${deployment('api', port)}`.replaceAll('${MARK}', p.mark);
    writeFileSync(path.join(p.dir, 'pods.yaml'), yaml);
    const up = await cli(p, ['up', '-f', 'pods.yaml', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(3);
    expect(up.stderr).toContain(
      `  pods.yaml:33:30 spec.template.spec.containers[0].ports[0].containerPort\n    port ${port}/tcp is used by two pods: api/main declares it, and web/main declares it at pods.yaml:16:30 spec.template.spec.containers[0].ports[0].containerPort`,
    );
    expect(up.stderr).not.toContain(':1:1 ');
    expect(up.stderr).not.toContain('pods.api.app');
    expect(existsSync(path.join(p.dir, '.sidecar/supervisor.json'))).toBe(false);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('validate accepts the same file: the clash is the process runtime\'s, each pod has its own network under Docker', async () => {
    const p = track(project(''));
    writeFileSync(path.join(p.dir, 'pods.yaml'), `${deployment('web', 8080)}---\n${deployment('api', 8080)}`);
    const validate = await cli(p, ['validate', '-f', 'pods.yaml']);
    expect(validate.exitCode, validate.all).toBe(0);
  });

  it('generate compose: a container without an image, and two services Compose would name alike, at their containers', async () => {
    const p = track(project(''));
    const noImage = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: b-app\n      command: [sleep, "1"]\n';
    const other = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a-b\nspec:\n  containers:\n    - name: app\n      image: x\n';
    writeFileSync(path.join(p.dir, 'pods.yaml'), `${noImage}---\n${other}`);
    const images = await cli(p, ['generate', 'compose', '-f', 'pods.yaml']);
    expect(images.exitCode, images.all).toBe(3);
    expect(images.stderr).toContain('  pods.yaml:7:7 spec.containers[0]\n    app "a/b-app" has no image or build, so Compose cannot run it');
    writeFileSync(path.join(p.dir, 'pods.yaml'), `${noImage.replace('command: [sleep, "1"]', 'image: y')}---\n${other}`);
    const names = await cli(p, ['generate', 'compose', '-f', 'pods.yaml']);
    expect(names.exitCode, names.all).toBe(3);
    expect(names.stderr).toMatch(/Compose would name both a\/b-app and a-b\/app "a-b-app"\n\s+pods\.yaml:16:7 spec\.containers\[0\]/);
  });

  it('generate k8s: a pod name a Service cannot take, at the object\'s metadata.name', async () => {
    const p = track(project(''));
    writeFileSync(path.join(p.dir, 'pods.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: 1web\nspec:\n  containers:\n    - name: app\n      image: x\n      ports: [{containerPort: 80, hostPort: 8080}]\n');
    const generate = await cli(p, ['generate', 'k8s', '-f', 'pods.yaml']);
    expect(generate.exitCode, generate.all).toBe(3);
    expect(generate.stderr).toContain('pods.yaml:4:9 metadata.name');
  });

  it('validate: the stack checks of a sidecar.yaml run on a Kubernetes file too, at its fields (a host port published twice, an unknown ${pods.X.host})', async () => {
    const p = track(project(''));
    const yaml = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
    - name: web
      image: x
      env:
        - {name: UPSTREAM, value: "http://\${pods.nosuch.host}:81"}
      ports:
        - {containerPort: 80, hostPort: 8080}
---
apiVersion: v1
kind: Pod
metadata:
  name: api
  labels: {app: api}
spec:
  containers:
    - name: api
      image: y
      ports:
        - {containerPort: 81}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 8080, targetPort: 81}]
`;
    writeFileSync(path.join(p.dir, 'pods.yaml'), yaml);
    const validate = await cli(p, ['validate', '-f', 'pods.yaml']);
    expect(validate.exitCode, validate.all).toBe(3);
    expect(validate.stderr).toContain('invalid manifest (2 problems)');
    expect(validate.stderr).toContain('  pods.yaml:11:43 spec.containers[0].env[0].value\n    ${pods.nosuch.host} names an undeclared pod "nosuch"');
    expect(validate.stderr).toContain('  pods.yaml:32:11 spec.ports[0]\n    host port 8080 is already published by web/web (pods.yaml:13:11 spec.containers[0].ports[0])');
  });

  it('up --runtime process: a containerPort someone else holds fails the start before anything runs, as a declared port does', async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const p = track(project(''));
      writeFileSync(path.join(p.dir, 'pods.yaml'), deployment('web', port).replaceAll('${MARK}', p.mark));
      const up = await cli(p, ['up', '-f', 'pods.yaml', '--wait', '--runtime', 'process']);
      expect(up.exitCode, up.all).not.toBe(0);
      expect(up.stderr).toContain(`app "web/main" cannot start: port ${port}/tcp (its containerPort) is already in use by pid ${process.pid}`);
      expect(survivors(p.mark)).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
