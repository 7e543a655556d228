import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, eventsStream, eventually, freePort, project, readJson, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 11.2/11.4/11.5/11.6 on real processes through the built CLI.
const track = trackProjects();

// The app answers with what src/message.txt held when it started.
const SERVER = `const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const message = fs.readFileSync(path.join(__dirname, 'message.txt'), 'utf8').trim();
process.on('SIGTERM', () => process.exit(0));
http.createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : message)).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function watched(): Promise<{p: Project; port: number}> {
  const port = await freePort();
  const p = track(project(`version: 1
name: watched
app:
  command: [node, src/server.cjs]
  env: {PORT: "${port}", SIDECAR_TEST_MARK: "\${MARK}"}
  health: {http: {port: ${port}, path: /healthz}, interval: 100ms}
  stopTimeout: 2s
  watch:
    - {path: ./src, action: restart, ignore: ["*.tmp", "cache"]}
sidecars:
  keeper:
    command: [node, \${PROGRAMS}/forever.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 2s
`));
  mkdirSync(path.join(p.dir, 'src/node_modules'), {recursive: true});
  mkdirSync(path.join(p.dir, 'src/cache'), {recursive: true});
  writeFileSync(path.join(p.dir, 'src/server.cjs'), SERVER);
  writeFileSync(path.join(p.dir, 'src/message.txt'), 'v1\n');
  return {p, port};
}

async function answer(port: number): Promise<string | undefined> {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/`)).text();
  } catch {
    return undefined;
  }
}

type Status = {name: string; pid: number; restarts: number; state: string; watch?: string[]};
async function services(p: Project): Promise<Record<string, Status>> {
  const ps = await cli(p, ['ps', '--json']);
  return Object.fromEntries((JSON.parse(ps.stdout) as {services: Status[]}).services.map((s) => [s.name, s]));
}

const supervisorLog = (p: Project): string => readFileSync(path.join(p.dir, '.sidecar/supervisor.log'), 'utf8');
const restartLines = (p: Project): string[] => supervisorLog(p).split('\n').filter((line) => / app: restarted, /.test(line));

describe('up --watch on the process runtime', () => {
  it('edit -> the new code answers; the sidecar untouched; not a crash; one log line and one event', async () => {
    const {p, port} = await watched();
    const up = await cli(p, ['up', '--wait', '--watch', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    expect(await answer(port)).toBe('v1');
    const before = await services(p);
    expect(before.app!.watch).toEqual(['src restart']);
    expect(before.keeper!.watch).toBeUndefined();
    const table = (await cli(p, ['ps'])).stdout.split('\n');
    expect(table[1]).toMatch(/ PORTS +WATCH$/);
    expect(table.find((line) => line.startsWith('app '))).toMatch(/ src restart$/);

    const {stream: events} = await eventsStream(p);
    // An editor's atomic save: write a temp file, rename it over the original.
    writeFileSync(path.join(p.dir, 'src/message.txt.tmp'), 'v2\n');
    renameSync(path.join(p.dir, 'src/message.txt.tmp'), path.join(p.dir, 'src/message.txt'));
    await eventually(async () => (await answer(port)) === 'v2', 20_000, 'the new answer');

    const after = await services(p);
    expect(after.keeper!.pid).toBe(before.keeper!.pid);
    expect(after.app!.pid).not.toBe(before.app!.pid);
    expect(after.app!.restarts).toBe(0);
    expect(after.keeper!.restarts).toBe(0);
    await eventually(() => restartLines(p).length === 1, 10_000, 'the log line');
    expect(restartLines(p)[0]).toMatch(/ app: restarted, 1 file changed$/);

    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    const streamed = (await events).stdout.trim().split('\n').map((line) => JSON.parse(line) as {service: string; type: string; to?: string; detail?: string});
    expect(streamed.filter((e) => e.type === 'watch')).toEqual([expect.objectContaining({service: 'app', type: 'watch', to: 'restart', detail: 'restarted, 1 file changed'})]);
    expect(survivors(p.mark)).toEqual([]);
  }, 90_000);

  it('a burst of 200 files is one restart; ignored paths cause none', async () => {
    const {p, port} = await watched();
    const up = await cli(p, ['up', '--wait', '--watch', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);

    // Ignored: node_modules, a per-rule pattern at any depth, a per-rule directory.
    writeFileSync(path.join(p.dir, 'src/node_modules/dep.js'), 'x');
    writeFileSync(path.join(p.dir, 'src/notes.tmp'), 'x');
    writeFileSync(path.join(p.dir, 'src/cache/blob'), 'x');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(restartLines(p)).toEqual([]);

    // The supervisor (the watcher) is stopped while the burst is written, so a pause
    // of this process longer than the 100 ms quiet period on a loaded machine cannot
    // split it in two: the kernel queues the file events until it goes on.
    const supervisor = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json')).pid;
    process.kill(supervisor, 'SIGSTOP');
    try {
      for (let i = 0; i < 199; i++) writeFileSync(path.join(p.dir, `src/gen-${i}.js`), `// ${i}\n`);
      writeFileSync(path.join(p.dir, 'src/message.txt'), 'v3\n');
    } finally {
      process.kill(supervisor, 'SIGCONT');
    }
    await eventually(async () => (await answer(port)) === 'v3', 30_000, 'the new answer');
    await eventually(() => restartLines(p).length > 0, 10_000, 'the log line');
    // Whatever came late would be a second batch: give it time to show, then count.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(restartLines(p)).toHaveLength(1);
    expect(restartLines(p)[0]).toMatch(/ app: restarted, 200 files changed$/);
  }, 90_000);

  it('foreground up --watch ends at `down` with no watcher keeping it alive', async () => {
    const {p, port} = await watched();
    const fg = cli(p, ['up', '--watch', '--runtime', 'process']);
    await eventually(async () => (await answer(port)) === 'v1', 30_000, 'the app');
    await eventually(() => readJson<{phase: string}>(path.join(p.dir, '.sidecar/state.json')).phase === 'ready', 10_000, 'ready');
    writeFileSync(path.join(p.dir, 'src/message.txt'), 'v4\n');
    await eventually(async () => (await answer(port)) === 'v4', 20_000, 'the new answer');
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    const result = await Promise.race([fg, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 20_000))]);
    expect(result, 'foreground up still running 20s after down').toBeDefined();
    expect(result!.all).toMatch(/^app: restarted, 1 file changed$/m);
    expect(survivors(p.mark)).toEqual([]);
  }, 90_000);

  it('--watch without any rule is a usage error (exit 2), nothing started', async () => {
    const p = track(project(`version: 1
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
`));
    const up = await cli(p, ['up', '-d', '--watch', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(2);
    expect(up.stderr).toMatch(/no service .* has watch rules/);
    expect(survivors(p.mark)).toEqual([]);
  }, 30_000);
});
