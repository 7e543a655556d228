import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {SidecarError} from '../../../src/errors/index.js';
import {loadManifest, loadManifestWithWarnings} from '../../../src/manifest/load.js';

// Issue 12.1: the checks a sidecar.yaml's stack gets (ports, ${pods.NAME.host},
// ${volumes.NAME}) run on a Kubernetes file too, each at its Kubernetes field.
const root = mkdtempSync(path.join(tmpdir(), 'sidecar-k8s-stack-'));
afterAll(() => rmSync(root, {recursive: true, force: true}));

async function problems(yaml: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(root, 'case-'));
  const file = path.join(dir, 'pod.yaml');
  writeFileSync(file, yaml);
  try {
    await loadManifest(file, {env: {}});
  } catch (error) {
    if (!(error instanceof SidecarError)) throw error;
    expect(error.exitCode).toBe(3);
    return error.problems.map((p) => `${p.place?.line}:${p.place?.column} ${p.place?.path} | ${p.message}`);
  }
  return [];
}

const pod = (containers: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  volumes: [{name: cache, emptyDir: {}}]\n  containers:\n${containers}`;

describe('Kubernetes input: the stack checks', () => {
  it('two containers of one pod on one containerPort (one network): at the second', async () => {
    const found = await problems(pod('    - {name: app, image: a, ports: [{containerPort: 8080}]}\n    - {name: proxy, image: p, ports: [{containerPort: 8080}]}\n'));
    expect(found).toEqual([expect.stringMatching(/^9:55 spec\.containers\[1\]\.ports\[0\]\.containerPort \| port 8080 is already used by app \(.*pod\.yaml:8:53 spec\.containers\[0\]\.ports\[0\]\.containerPort\); proxy declares it too, in the shared pod network$/)]);
  });

  it('${volumes.NAME} of a volume the container does not mount: at the env value', async () => {
    const found = await problems(pod('    - name: app\n      image: a\n      env: [{name: DIR, value: "${volumes.nosuch}"}]\n'));
    expect(found).toEqual([expect.stringMatching(/^10:32 spec\.containers\[0\]\.env\[0\]\.value \| \$\{volumes\.nosuch\} names an undeclared volume$/)]);
  });

  // Found by an attacker's trial: image names reach the engine's URL paths as they are.
  it('an image that is not an image reference: at the container\'s image', async () => {
    const found = await problems(pod('    - {name: app, image: "../../localhost/steal"}\n    - {name: proxy, image: "p --privileged"}\n'));
    expect(found).toEqual([
      expect.stringMatching(/^8:26 spec\.containers\[0\]\.image \| image "\.\.\/\.\.\/localhost\/steal" holds a "\." or "\.\." path part/),
      expect.stringMatching(/^9:28 spec\.containers\[1\]\.image \| image "p --privileged" holds whitespace/),
    ]);
  });

  // Found by a new user's trial: `generate k8s` of two pods that both listen on 8080
  // writes two Services on port 8080 (valid Kubernetes: two ClusterIPs), and sidecar
  // refused its own file ("already published on 127.0.0.1").
  it('two Services on one port: the first is published, the second is a loss, and the file loads', async () => {
    const dir = mkdtempSync(path.join(root, 'case-'));
    const file = path.join(dir, 'pods.yaml');
    const podDoc = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, labels: {app: ${name}}}\nspec:\n  containers:\n    - {name: app, image: a, ports: [{containerPort: 8080}]}\n`;
    const serviceDoc = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec:\n  selector: {app: ${name}}\n  ports: [{name: tcp-8080, port: 8080, targetPort: 8080}]\n`;
    writeFileSync(file, [podDoc('payments'), serviceDoc('payments'), podDoc('orders'), serviceDoc('orders')].join('---\n'));
    const loaded = await loadManifestWithWarnings(file, {env: {}});
    const published = Object.fromEntries(loaded.manifest.pods.map((p) => [p.name, p.app.ports.map((port) => `${port.hostIp}:${port.hostPort}->${port.containerPort}`)]));
    expect(published).toEqual({payments: ['127.0.0.1:8080->8080'], orders: []});
    expect(loaded.losses.map((loss) => loss.message)).toContainEqual('port 8080/TCP is already published on 127.0.0.1 by Service payments: not published again (the other pods still reach orders by its name, at 8080)');
  });

  it('a Pod whose containers each have their own ports and probes loads', async () => {
    expect(await problems(pod('    - {name: app, image: a, ports: [{containerPort: 8080}], readinessProbe: {httpGet: {port: 8080}}, livenessProbe: {httpGet: {port: 8080}}}\n    - {name: proxy, image: p, ports: [{containerPort: 15000}]}\n'))).toEqual([]);
  });

  it('a hostPath type: a wrong one is an error at it; a path it needs that is not there is a loss, never silently a new directory', async () => {
    const missing = path.join(root, 'not-there');
    const volumes = (type: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  volumes:\n    - name: data\n      hostPath: {path: ${missing}, type: ${type}}\n  containers:\n    - {name: app, image: a, volumeMounts: [{name: data, mountPath: /data}]}\n`;
    const losses = async (type: string) => {
      const dir = mkdtempSync(path.join(root, 'case-'));
      writeFileSync(path.join(dir, 'pod.yaml'), volumes(type));
      return (await loadManifestWithWarnings(path.join(dir, 'pod.yaml'), {env: {}})).losses.map((loss) => `${loss.feature}: ${loss.message}`);
    };
    expect(await losses('Directory')).toEqual([`Pod/web spec.volumes[0].hostPath.path: ${missing} does not exist here, and type Directory needs it (the kubelet would not start the pod): Docker makes an empty directory there`]);
    expect(await losses('FileOrCreate')).toEqual([`Pod/web spec.volumes[0].hostPath.path: ${missing} does not exist: Docker makes a directory there, not the empty file the kubelet would`]);
    expect(await losses('DirectoryOrCreate')).toEqual([]);
    expect(await problems(volumes('Sideways'))).toEqual([expect.stringMatching(/^8:\d+ spec\.volumes\[0\]\.hostPath\.type \| hostPath type must be one of .*, not Sideways$/)]);
  });

});
