import Docker from 'dockerode';
import {expect, it} from 'vitest';
import {DockerRuntime} from '../../../src/runtime/docker/index.js';
import {manifest, service} from '../../helpers/manifest-builder.js';
import {trackProjects} from '../cli/cli-harness.js';
import {oomScenario} from '../resources/oom-scenario.js';
import {describeDocker, tempProject, TEST_IMAGES} from './docker-engine.js';

// Issue 12.4 on Docker: HostConfig.Memory (= MemorySwap) enforced by the engine;
// the kill seen from the die event's exit code and State.OOMKilled / the oom event.
const track = trackProjects();

describeDocker('resources on Docker', () => {
  // A limit written for a bigger machine: the engine refuses more CPUs than it has, so it is capped, said once.
  it('caps cpus above the engine\'s CPU count and says so once', async () => {
    const docker = new Docker();
    const {NCPU} = (await docker.info()) as {NCPU: number};
    const {dir, name} = tempProject('cpus');
    const m = manifest({name, dir, app: service('app', 'app', {image: TEST_IMAGES.busybox, command: ['sleep', '300'], resources: {cpus: NCPU + 2, memoryBytes: 64 * 2 ** 20}, stopTimeoutMs: 1000})});
    const app = m.pods[0]!.app;
    const runtime = new DockerRuntime();
    const notices: string[] = [];
    try {
      await runtime.prepare(m, {log: () => undefined, notice: (message) => notices.push(message)});
      const unit = await runtime.start(app);
      const info = await docker.getContainer(unit.identity.kind === 'docker' ? unit.identity.containerId : '').inspect();
      expect(info.HostConfig).toMatchObject({NanoCpus: NCPU * 1e9, Memory: 64 * 2 ** 20, MemorySwap: 64 * 2 ** 20});
      await runtime.kill(unit);
      await runtime.kill(await runtime.start(app));
      expect(notices.filter((n) => n.includes('cpus'))).toEqual([`app: cpus ${NCPU + 2} is more than the engine's ${NCPU} CPUs; limited to ${NCPU}`]);
    } finally {
      await runtime.teardown(m, {removeVolumes: true});
    }
  });

  it('a sidecar over its memory limit is killed (137, reason oom, oom event) and restarted per its policy', async () => {
    await oomScenario(
      {
        runtime: 'docker',
        env: {SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause},
        yaml: (name) => `version: 1
name: ${name}
app:
  image: ${TEST_IMAGES.node}
  command: [node, /programs/forever.js]
  volumes: ["\${PROGRAMS}:/programs:ro"]
  stopTimeout: 1s
sidecars:
  hog:
    image: ${TEST_IMAGES.node}
    command: [node, /programs/memory-hog.js]
    env: {HOG_TRIGGER: /project/go, HOG_CAP_MB: "256"}
    volumes: ["\${PROGRAMS}:/programs:ro", "./:/project:ro"]
    resources: {memory: 96Mi, cpus: 0.5}
    maxRestarts: 1
    stopTimeout: 1s
`,
      },
      `oomd-${Date.now().toString(36)}`,
      track,
    );
  }, 240_000);
});

// The same from a Pod's `resources.limits` (issue 12.1 maps them): a native
// sidecar restarts without a cap, as in Kubernetes, and keeps being killed.
describeDocker('resources on Docker from Kubernetes YAML', () => {
  it('a native sidecar over its limits.memory is killed (137, reason oom, oom event) and restarted', async () => {
    const name = `oomk-${Date.now().toString(36)}`;
    await oomScenario(
      {
        runtime: 'docker',
        env: {SIDECAR_INFRA_IMAGE: process.env.SIDECAR_INFRA_IMAGE ?? TEST_IMAGES.pause},
        ids: {app: `${name}/app`, hog: `${name}/hog`},
        policy: 'always',
        yaml: (_name, dir) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 2
  initContainers:
    - name: hog
      image: ${TEST_IMAGES.node}
      restartPolicy: Always
      command: [node, /programs/memory-hog.js]
      env:
        - {name: HOG_TRIGGER, value: /project/go}
        - {name: HOG_CAP_MB, value: "256"}
      resources:
        limits: {memory: 96Mi, cpu: 500m}
        requests: {memory: 32Mi}
      volumeMounts:
        - {name: programs, mountPath: /programs, readOnly: true}
        - {name: project, mountPath: /project, readOnly: true}
  containers:
    - name: app
      image: ${TEST_IMAGES.node}
      command: [node, /programs/forever.js]
      volumeMounts: [{name: programs, mountPath: /programs, readOnly: true}]
  volumes:
    - {name: programs, hostPath: {path: "\${PROGRAMS}"}}
    - {name: project, hostPath: {path: "${dir}"}}
`,
      },
      name,
      track,
    );
  }, 240_000);
});
