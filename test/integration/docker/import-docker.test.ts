import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {cli} from '../cli/cli-harness.js';
import {describeDocker} from './docker-engine.js';
import {nativeSidecarPod, type NativeSidecarPod} from './native-sidecar-pod.js';

// Issue 12.3: the Pod YAML of issue 12.5, imported (`sidecar import`), runs from
// the written sidecar.yaml on Docker as it runs from the YAML itself: init job,
// native sidecars in order behind the startupProbe, the ConfigMap's env and
// files (written beside it, mounted read-only), the shared volume, the Service's port.
const docker = new Docker();
let pod: NativeSidecarPod;

describeDocker('an imported Pod YAML under sidecar up on Docker', () => {
  beforeAll(async () => {
    pod = await nativeSidecarPod();
  }, 120_000);
  afterAll(async () => {
    if (pod) await cli(pod.p, ['down', '--volumes', '--timeout', '1s']);
  });

  it('import writes sidecar.yaml; up runs it in the same order with the same files; down leaves no container', async () => {
    const {p, name, get} = pod;
    // --force: the harness leaves an empty sidecar.yaml in the project.
    const imported = await cli(p, ['import', 'pod.yaml', '--force']);
    expect(imported.exitCode, imported.all).toBe(0);
    // The single form is named after the pod; this test's project is named after its directory, so parallel runs never meet.
    const file = path.join(p.dir, 'sidecar.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('name: web\n');
    writeFileSync(file, text.replace('name: web\n', `name: ${name}\n`));

    const up = await cli(p, ['up', '--wait', '--runtime', 'docker', '--timeout', '150s']);
    expect(up.exitCode, up.all).toBe(0);
    expect((await get('order.log')).split('\n')).toEqual(['prepare', 'slow-start', 'slow-ready', 'writer-start', 'app-start']);
    expect(await get('from-sidecar.txt')).toBe('from-sidecar');
    // `$GREETING` in the command survived interpolation ($$ in the file); the fieldRef became its value.
    expect(await get('env.txt')).toBe('hello-from-configmap web');
    expect(await get('page.html')).toBe('<h1>configured</h1>');
    expect(await get('config-mount.txt')).toBe('read-only');

    const ps = await cli(p, ['ps', '--json']);
    expect(ps.exitCode, ps.all).toBe(0);
    const services = (JSON.parse(ps.stdout) as {services: {name: string; role: string; state: string; health: string}[]}).services;
    expect(services.map((s) => [s.name, s.role, s.state, s.health])).toEqual([
      ['prepare', 'init', 'exited', 'none'],
      ['slow', 'sidecar', 'running', 'healthy'],
      ['writer', 'sidecar', 'running', 'healthy'],
      ['app', 'app', 'running', 'healthy'],
    ]);

    const down = await cli(p, ['down', '--timeout', '5s']);
    expect(down.exitCode, down.all).toBe(0);
    const left = await docker.listContainers({all: true, filters: {label: [`sidecar.project=${name}`]}});
    expect(left.map((c) => c.Names)).toEqual([]);
  }, 240_000);
});
