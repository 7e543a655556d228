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
