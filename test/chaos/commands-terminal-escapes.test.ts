import {afterEach, beforeAll, expect, it} from 'vitest';
import {cli, ensureBuilt, project, type Project} from '../integration/cli/cli-harness.js';

// Issue 9.1, what the commands print: a service (or anything a supervisor
// relays) that writes terminal control sequences must not retitle, clear or
// rewrite the terminal of whoever runs `logs`, `logs --json`, `events --json`
// or `ps`. Colours may stay in human log output, as `less -R` lets them through.
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

// Every character a terminal acts on: C0 but tab and newline, DEL, C1, the line separators.
const controls = (text: string): string[] =>
  [...text].filter((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && c !== '\n' && c !== '\t') || (code >= 0x7f && code <= 0x9f) || c === '\u2028' || c === '\u2029';
  });

const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

it('logs, logs --json, events --json and ps print no terminal control sequence a service wrote', async () => {
  // Retitle (OSC 0), clear the screen (CSI 2J), a one-character C1 CSI, then a colour.
  const script = String.raw`process.stdout.write('evil \x1b]0;owned\x07 \x1b[2J \x9b2J \x1b[31mred\x1b[0m\n'); setInterval(() => {}, 1 << 30)`;
  const p = project(`version: 1
name: escapes
app:
  command: [node, -e, ${JSON.stringify(script)}]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 1s
`);
  live.push(p);
  expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
  const events = cli(p, ['events', '--json']);

  const logs = await cli(p, ['logs']);
  expect(logs.exitCode, logs.all).toBe(0);
  expect(logs.stdout).toContain('evil');
  // Only the colour survives, as SGR sequences: drop them and nothing is left.
  expect(controls(logs.stdout.replace(SGR, ''))).toEqual([]);
  expect(logs.stdout).not.toContain('owned\u0007');

  const json = await cli(p, ['logs', '--json']);
  expect(json.exitCode, json.all).toBe(0);
  expect(controls(json.stdout)).toEqual([]);
  // The data itself is kept exactly, escaped.
  expect(JSON.parse(json.stdout.trim().split('\n')[0]!).line).toContain('\u009b2J');

  const ps = await cli(p, ['ps']);
  expect(controls(ps.stdout)).toEqual([]);
  expect((await cli(p, ['down'])).exitCode).toBe(0);
  const streamed = await events;
  expect(streamed.exitCode, streamed.all).toBe(0);
  expect(controls(streamed.stdout)).toEqual([]);
});

it('a failed start quotes the failing service\'s last lines without their control sequences', async () => {
  const script = String.raw`process.stdout.write('boom \x1b]0;owned\x07 \x1b[2J \x9b2J\n'); process.exit(3)`;
  const p = project(`version: 1
name: escapes-failing
init:
  migrate:
    command: [node, -e, ${JSON.stringify(script)}]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
`);
  live.push(p);
  for (const args of [['up', '--wait', '--runtime', 'process'], ['up', '--runtime', 'process']]) {
    const up = await cli(p, args);
    expect(up.exitCode, up.all).toBe(5);
    expect(up.stderr).toContain('boom');
    expect(controls(up.stderr.replace(SGR, ''))).toEqual([]);
  }
});
