import {execFileSync} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, it} from 'vitest';
import {probeEngine} from '../../../src/runtime/docker/index.js';
import {findEngine} from '../../../src/runtime/engine/find.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// Images built locally by scripts/build-test-images.sh (nothing is pulled here).
export const TEST_IMAGES = {busybox: 'sidecar-test/busybox:1', pause: 'sidecar-test/pause:1', node: 'sidecar-test/node:20'} as const;

export const engine = await probeEngine();
// Which engine and mode answered (rootless needs /info): the suites under
// test/integration/podman-api and rootless-docker say which one they want.
const answered = engine.ok && process.env.SIDECAR_ENGINE_UNDER_TEST ? await findEngine(process.env, {details: true}) : undefined;
const answeredKind = answered?.ok ? answered.status.engine : undefined;

// The Docker suite: runs on a real engine; without one it skips with a message
// locally, and FAILS under CI=true (CI must prove the Docker runtime).
export function describeDocker(name: string, body: () => void): void {
  // test/integration/podman-api/ runs these suites against podman's Docker API:
  // the engine that answers must then be podman, or the run proves nothing.
  const wanted = process.env.SIDECAR_ENGINE_UNDER_TEST;
  const title = wanted ? `[${wanted} API] ${name}` : name;
  if (engine.ok && wanted && answeredKind !== wanted) {
    describe(title, () => {
      it(`needs ${wanted}'s Docker API`, () => {
        throw new Error(`${engine.host} answers as ${answeredKind ?? 'an unknown engine'}, not ${wanted}`);
      });
    });
  } else if (engine.ok) {
    process.env.SIDECAR_INFRA_IMAGE ??= TEST_IMAGES.pause;
    // Cheap when the images exist (skips them); builds them on a fresh engine.
    execFileSync(path.join(root, 'scripts/build-test-images.sh'), {stdio: 'ignore', env: {...process.env, SIDECAR_SKIP_PODMAN: '1'}});
    describe(title, body);
  } else if (process.env.CI) {
    describe(title, () => {
      it(`needs ${wanted ?? 'a Docker'} engine under CI=true`, () => {
        throw new Error(`no engine answers at ${engine.host} (${engine.reason}); run .ci/engines.sh`);
      });
    });
  } else {
    console.warn(`[docker suite] skipped "${title}": no engine answers at ${engine.host} (${engine.reason}). Run .ci/engines.sh to start one.`);
    describe.skip(title, body);
  }
}

// A fresh project directory and a name no other run uses.
export function tempProject(prefix = 'sct'): {dir: string; name: string} {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  return {dir, name: `${prefix}-${path.basename(dir).split('-').pop()!.toLowerCase()}`};
}

// Wait for a condition, bounded (2-core machine: no tight timings in tests).
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
