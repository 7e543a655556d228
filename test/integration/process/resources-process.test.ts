import {existsSync, readdirSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {removeStackGroups, ServiceCgroup} from '../../../src/runtime/process/cgroup/service-cgroup.js';
import {currentCgroupLayout} from '../../../src/runtime/process/cgroup/cgroup-layout.js';
import {trackProjects} from '../cli/cli-harness.js';
import {oomScenario} from '../resources/oom-scenario.js';

// Issue 12.4 under the process runtime: a cgroup per service (v1 here and on CI,
// v2 on most laptops) with the memory limit; the kill seen from the group's
// oom_kill counter. It must run where cgroups can be made (root: CI); it says
// why it skips anywhere else.
const track = trackProjects();
const layout = currentCgroupLayout();
const why = cgroupsUnavailable();

function cgroupsUnavailable(): string | undefined {
  const base = `sidecar-test-${process.pid}`;
  try {
    ServiceCgroup.create(layout, base, 'probe', {memoryBytes: 64 * 2 ** 20, cpus: 0.5});
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    void removeStackGroups(layout, base);
  }
}

if (why !== undefined && process.env.CI) {
  describe('resources under the process runtime', () => {
    it('needs a machine where cgroups can be created under CI=true (root)', () => {
      throw new Error(`no cgroup can be created here: ${why}`);
    });
  });
} else if (why !== undefined) {
  console.warn(`[process resources] skipped: no cgroup can be created here (${why}); run as root or in a delegated cgroup v2 subtree`);
  describe.skip('resources under the process runtime', () => {
    it('cannot run here', () => undefined);
  });
} else {
  describe('resources under the process runtime', () => {
    it('a sidecar over its memory limit is killed (137, reason oom, oom event) and restarted per its policy', async () => {
      await oomScenario(
        {
          runtime: 'process',
          yaml: (name) => `version: 1
name: ${name}
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
sidecars:
  hog:
    command: [node, \${PROGRAMS}/memory-hog.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}", HOG_TRIGGER: ./go, HOG_CAP_MB: "256"}
    resources: {memory: 96Mi, cpus: 0.5}
    maxRestarts: 1
    stopTimeout: 1s
`,
        },
        `oomp-${Date.now().toString(36)}`,
        track,
      );
      // Every group of the stack is gone after down.
      const trees = layout.version === 1 ? [layout.memory, layout.cpu] : layout.version === 2 ? [layout.parent] : [];
      for (const tree of trees) if (tree) expect(readdirNames(tree).filter((name) => name.startsWith('sidecar-oomp-'))).toEqual([]);
    }, 240_000);
  });
}

function readdirNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
