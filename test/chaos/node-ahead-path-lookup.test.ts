import {chmodSync, existsSync, readdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, eventually, project, survivors, trackProjects} from '../integration/cli/cli-harness.js';

// Issue 13.1, a Node service made ahead (src/runtime/node-ahead.ts) is run at once,
// to start up and wait in its preload, when its `node` "is the same Node that runs
// sidecar, as the service's PATH finds it"; any other program waits in the shell.
// The runtime looks `node` up skipping PATH's empty entries (host-executable.ts),
// but the shell that runs it (`exec "$@"`) reads an empty entry as the current
// directory, as POSIX says: with PATH=":/usr/bin..." (`PATH="$EXTRA:$PATH"` with
// EXTRA unset) and a `node` wrapper script in the workdir, the runtime judges the
// real Node and runs the service at once; the shell runs the wrapper, whose
// commands run before the sidecar before it is ready (DESIGN 1), and only the
// Node it then starts waits. Judged as what it is (not that Node), it would wait
// in its shell, as with SIDECAR_NODE_AHEAD=0.
const track = trackProjects();

describe('a `node` the shell finds through an empty PATH entry', () => {
  it('runs nothing before the sidecar before it is ready', async () => {
    const nodeDir = path.dirname(process.execPath);
    const p = track(
      project(`version: 1
name: path-lookup
sidecars:
  gate:
    command: [sleep, "1000"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    health: {exec: [test, -f, open], startTimeout: 60s}
    stopTimeout: 1s
app:
  command: [node, -e, "require('fs').writeFileSync('ran-app', '')"]
  env: {SIDECAR_TEST_MARK: "\${MARK}", PATH: ":${nodeDir}:/usr/local/bin:/usr/bin:/bin"}
  restart: never
  stopTimeout: 1s
`),
    );
    // The project's own `node`: a wrapper that does something, then runs Node.
    const wrapper = path.join(p.dir, 'node');
    writeFileSync(wrapper, `#!/bin/sh\n: > ran-wrapper\nexec ${JSON.stringify(process.execPath)} "$@"\n`);
    chmodSync(wrapper, 0o755);

    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    // The gate's process and the app's, made ahead (in its shell, or started).
    await eventually(() => survivors(p.mark).length >= 2 || existsSync(path.join(p.dir, 'ran-wrapper')), 20_000, 'the app made ahead');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Now: ['ran-wrapper'], while the gate is not ready.
    expect(readdirSync(p.dir).filter((f) => f.startsWith('ran-'))).toEqual([]);

    writeFileSync(path.join(p.dir, 'open'), '');
    await eventually(() => existsSync(path.join(p.dir, 'ran-app')), 20_000, 'the app to run once the gate is ready');
    expect(existsSync(path.join(p.dir, 'ran-wrapper'))).toBe(true);
    await cli(p, ['down']);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });
});
