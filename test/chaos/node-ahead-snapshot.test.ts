import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, eventually, project, survivors, trackProjects, type Project} from '../integration/cli/cli-harness.js';
import {commandLine} from './host-chaos-harness.js';

// Issue 13.1, a Node service made ahead (src/runtime/node-ahead.ts) runs none of
// its code until go, since it waits in a `--require` preload (bin/node-ahead.js)
// "before any of the service's code runs". Not so for a startup snapshot:
//  - `node --snapshot-blob app.blob` (an app started from its user-land snapshot,
//    which is what such snapshots are for) runs the app's deserialize callbacks
//    (v8.startupSnapshot.addDeserializeCallback) while Node starts up, before any
//    preload: the app's code runs while the sidecar before it is not ready;
//  - `node --snapshot-blob out.blob --build-snapshot entry.js` loads no preload
//    at all: the entry runs at once, and exits, long before its turn.
// DESIGN 1: a service's program runs only once the one before it is ready.
const track = trackProjects();

// A sidecar that is ready only once the test creates `open`, then the service under test.
function gated(name: string, command: string): Project {
  return track(
    project(`version: 1
name: ${name}
sidecars:
  gate:
    command: [sleep, "1000"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    health: {exec: [test, -f, open], startTimeout: 60s}
    stopTimeout: 1s
app:
  command: ${command}
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
`),
  );
}

const ranFiles = (p: Project): string[] => readdirSync(p.dir).filter((f) => f.startsWith('ran-'));

// Long enough for Node to start up (and, were it not held, run what it runs first).
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1500));

const ENTRY = `const v8 = require('v8');
const fs = require('fs');
v8.startupSnapshot.addDeserializeCallback(() => fs.writeFileSync('ran-deserialize-' + process.pid, String(Date.now())));
v8.startupSnapshot.setDeserializeMainFunction(() => {
  fs.writeFileSync('ran-main-' + process.pid, String(Date.now()));
  setInterval(() => {}, 1 << 30);
});
`;

describe('a Node service made ahead, started from a startup snapshot', () => {
  it('runs no deserialize callback of its snapshot before the sidecar before it is ready', async () => {
    const p = gated('snapshot-run', '[node, --snapshot-blob, app.blob]');
    writeFileSync(path.join(p.dir, 'entry.js'), ENTRY);
    // Built by the `node` the service runs (a blob is for the Node that built it).
    execFileSync('node', ['--snapshot-blob', 'app.blob', '--build-snapshot', 'entry.js'], {cwd: p.dir, stdio: 'ignore'});
    expect(existsSync(path.join(p.dir, 'app.blob'))).toBe(true);

    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    // Made ahead (in its shell, or as node): there is a process of the app beside the gate's.
    await eventually(() => survivors(p.mark).some((pid) => commandLine(pid).includes('app.blob')) || ranFiles(p).length > 0, 20_000, 'the app made ahead');
    await settle();
    // Now: ['ran-deserialize-<pid>'], written while the gate is not ready.
    expect(ranFiles(p)).toEqual([]);

    writeFileSync(path.join(p.dir, 'open'), '');
    await eventually(() => ranFiles(p).some((f) => f.startsWith('ran-main-')), 20_000, 'the app to run once the gate is ready');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });

  it('runs no entry of --build-snapshot before the sidecar before it is ready', async () => {
    const p = gated('snapshot-build', '[node, --snapshot-blob, out.blob, --build-snapshot, build.js]');
    writeFileSync(path.join(p.dir, 'build.js'), "require('fs').writeFileSync('ran-build-' + process.pid, String(Date.now()));\n");

    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    // Made ahead (in its shell, or as node): there is a process of the app beside the gate's.
    await eventually(() => survivors(p.mark).some((pid) => commandLine(pid).includes('build.js')) || ranFiles(p).length > 0, 20_000, 'the app made ahead');
    await settle();
    // Now: ['ran-build-<pid>'] and out.blob, built while the gate is not ready.
    expect(ranFiles(p)).toEqual([]);
    expect(existsSync(path.join(p.dir, 'out.blob'))).toBe(false);

    writeFileSync(path.join(p.dir, 'open'), '');
    await eventually(() => ranFiles(p).length > 0, 20_000, 'the build to run once the gate is ready');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });
});
