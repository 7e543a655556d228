import {execa} from 'execa';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

// A service made ahead whose spawn failed (its workdir does not exist) has no pid.
// Node's kill() of such a child signals pid 0: the caller's own process group. The
// supervisor ended that process made ahead at its turn (its workdir no longer the
// one it was made in) or at the stack's teardown, and so SIGKILLed itself and
// everything in its group: `up --wait` said "the supervisor was killed by a
// signal" where it should say the workdir is missing (found by a CI dry run).
// Run in a session of its own, so that the bug can only kill the child itself.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Ten times over, each at once after the runtime is prepared: the kill came
// when a failed spawn's error had not been handled yet (2 runs of 3 before the fix).
const script = (when: 'teardown' | 'start') => `
import {ProcessRuntime} from ${JSON.stringify(path.join(root, 'dist/runtime/process/process-runtime.js'))};
import {loadManifest} from ${JSON.stringify(path.join(root, 'dist/manifest/load.js'))};
const manifest = await loadManifest(process.argv[2]);
for (let i = 0; i < 10; i++) {
  const runtime = new ProcessRuntime();
  const app = manifest.pods[0].app;
  runtime.precreate([app], manifest);
  await runtime.prepare(manifest, {log: () => undefined});
  if (${JSON.stringify(when)} === 'start') {
    await runtime.start(app).then(() => console.log('started?'), (error) => console.log('start failed:', error.message));
  }
  await runtime.teardown(manifest, {removeVolumes: true});
}
console.log('done');
`;

describe('a service made ahead that could not be spawned', () => {
  it.each([['teardown'], ['start']] as const)('is ended without a signal to anyone (%s)', async (when) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-ahead-failed-'));
    writeFileSync(path.join(dir, 'sidecar.yaml'), `version: 1\nname: ahead-failed\napp:\n  command: [node, -e, "setInterval(() => {}, 1000)"]\n  workdir: ./no-such-dir\n`);
    writeFileSync(path.join(dir, 'run.mjs'), script(when));
    const run = await execa(process.execPath, [path.join(dir, 'run.mjs'), path.join(dir, 'sidecar.yaml')], {cwd: dir, reject: false, detached: true, timeout: 30_000});
    expect(run.signal, run.stderr).toBeUndefined();
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('done');
    if (when === 'start') expect(run.stdout).toContain(`start failed: service "app" could not start: its workdir ${path.join(dir, 'no-such-dir')} does not exist`);
  }, 60_000);
});
