import {readdirSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {cli, eventually, project, survivors, trackProjects} from '../integration/cli/cli-harness.js';
import {commandLine} from './host-chaos-harness.js';

// Issue 13.1, a Node service made ahead (src/runtime/node-ahead.ts) starts up Node
// before its turn. Node's own start-up is not silent for every flag: `--prof`
// opens its V8 log (isolate-<addr>-<pid>-v8.log, in the workdir) at start-up, so
// a service that never started (`down` while the sidecar before it was not
// ready) leaves a profile of a program that never ran. (`--cpu-prof`,
// `--heap-prof`, `--trace-events-enabled` and NODE_V8_COVERAGE write theirs at
// the exit of such a process too, when it ends on the socket's end: the
// supervisor gone.) Waiting in the shell (SIDECAR_NODE_AHEAD=0), Node never starts
// and nothing is written: a `down` leaves nothing of a service that never started.
const track = trackProjects();

describe('a Node service made ahead with a profiler flag, never started', () => {
  it('leaves no profile in its workdir after down', async () => {
    const p = track(
      project(`version: 1
name: never-started-prof
sidecars:
  gate:
    command: [sleep, "1000"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    health: {exec: [test, -f, open], startTimeout: 60s}
    stopTimeout: 1s
app:
  command: [node, --prof, -e, "setInterval(() => {}, 1 << 30)"]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
`),
    );
    const up = await cli(p, ['up', '-d', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    // Made ahead (in its shell, or as node), beside the gate that never gets ready.
    await eventually(() => survivors(p.mark).some((pid) => commandLine(pid).includes('--prof')), 20_000, 'the app made ahead');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
    // Now: ['isolate-0x...-<pid>-v8.log'].
    expect(readdirSync(p.dir).filter((f) => f.startsWith('isolate-'))).toEqual([]);
  });
});
