import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, project, survivors, type Project} from '../integration/cli/cli-harness.js';

// Issue 9 point 4: a catastrophic `log:` regex against a long line pinned the
// supervisor at 99% CPU (backtracking, helped by the split marker), so every
// command hung. User regexes now run on RE2 (linear time), and match the line
// the service printed, not the ` [line continues]` pieces it was cut into.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 180_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

// A case that must become ready gets 30 s (a loaded machine may need more than 4);
// the one that must not keeps 4 s, which its message names.
function stack(pattern: string, end: string, startTimeout = '4s'): Project {
  const p = project(`version: 1
name: redos
app:
  command: [node, \${PROGRAMS}/long-line.js]
  env: {LENGTH: "100000", CHAR: a, END: "${end}", SIDECAR_TEST_MARK: "\${MARK}"}
  health: {log: "${pattern}", startTimeout: ${startTimeout}}
  stopTimeout: 2s
`);
  live.push(p);
  return p;
}

describe('chaos: ReDoS in a log probe', () => {
  it('(a+)+$ against 100k a\'s then "!": the supervisor answers ps, the probe fails normally', async () => {
    const p = stack('(a+)+$', '!');
    const up = cli(p, ['up', '--wait', '--runtime', 'process', '--timeout', '60s']);
    // The supervisor is up once its record exists; from then on ps must answer.
    await eventually(async () => (await cli(p, ['ps', '--json'])).stdout.includes('"app"'), 30_000, 'the supervisor to answer once');
    const began = Date.now();
    const ps = await cli(p, ['ps', '--json']);
    const tookMs = Date.now() - began;
    console.log(`ps answered in ${tookMs}ms while the log probe ran`);
    expect(ps.exitCode, ps.all).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    const result = await up;
    expect(result.exitCode, result.all.slice(-3000)).toBe(5);
    expect(result.all).toMatch(/not ready after 4000ms: log \/\(a\+\)\+\$\/: no matching line yet/);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left running');
  }, 120_000);

  it('matches the whole line the service printed, not the pieces it was cut into', async () => {
    // 100k a's then "ready": a 64 KiB piece never ends in "ready", the line does.
    const p = stack('a+ready$', 'ready', '30s');
    const up = await cli(p, ['up', '--wait', '--runtime', 'process', '--timeout', '60s']);
    expect(up.exitCode, up.all.slice(-3000)).toBe(0);
    expect(survivors(p.mark).length).toBeGreaterThan(0);
  }, 120_000);

  it('validate refuses what RE2 cannot run (exit 3, at the probe, saying why)', async () => {
    const p = stack('(?=.*ready)', '!');
    const result = await cli(p, ['validate']);
    expect(result.exitCode, result.all).toBe(3);
    expect(result.all).toMatch(/sidecar\.yaml:6:\d+ app\.health\.log/);
    expect(result.all).toMatch(/lookahead .* RE2 does not support/);
  });
});
