import {it} from 'vitest';
import {trackProjects} from '../cli/cli-harness.js';
import {oomScenario} from '../resources/oom-scenario.js';
import {describeDocker, TEST_IMAGES} from './docker-engine.js';

// Issue 12.4 on Docker: HostConfig.Memory (= MemorySwap) enforced by the engine;
// the kill seen from the die event's exit code and State.OOMKilled / the oom event.
const track = trackProjects();

describeDocker('resources on Docker', () => {
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
