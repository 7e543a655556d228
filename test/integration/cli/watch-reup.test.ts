import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, eventually, freePort, programs, project, survivors, trackProjects, type Project} from './cli-harness.js';

// `up` again on a stack under `--watch` with changed watch rules: the stack
// follows the rules of the manifest it now runs (as `docker compose up` reads
// the project again), not those of the first `up` until `down`.
const track = trackProjects();

const SERVER = `const fs = require('node:fs');
const message = fs.readFileSync(__dirname + '/message.txt', 'utf8').trim();
process.on('SIGTERM', () => process.exit(0));
require('node:http').createServer((req, res) => res.end(message)).listen(Number(process.env.PORT), '127.0.0.1');
`;

const manifest = (port: number, rules: string): string => `version: 1
name: rewatched
app:
  command: [node, src/server.cjs]
  env: {PORT: "${port}", SIDECAR_TEST_MARK: "\${MARK}"}
  health: {tcp: {port: ${port}}, interval: 100ms}
  stopTimeout: 2s
${rules}
sidecars:
  keeper:
    command: [node, \${PROGRAMS}/forever.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 2s
`;

// Each try has a deadline of its own: a connection that hangs is retried by
// `eventually`, which then fails with its message instead of the test's timeout.
async function answer(port: number): Promise<string | undefined> {
  return fetch(`http://127.0.0.1:${port}/`, {signal: AbortSignal.timeout(2000)}).then((r) => r.text()).catch(() => undefined);
}

type Status = {name: string; pid: number; watch?: string[]};
async function app(p: Project): Promise<Status> {
  const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as {services: Status[]};
  return ps.services.find((s) => s.name === 'app')!;
}

const restartLines = (p: Project): string[] => readFileSync(path.join(p.dir, '.sidecar/supervisor.log'), 'utf8').split('\n').filter((line) => / app: restarted, /.test(line));
const rewrite = (p: Project, yaml: string): void => writeFileSync(path.join(p.dir, 'sidecar.yaml'), yaml.replaceAll('${MARK}', p.mark).replaceAll('${PROGRAMS}', programs));
const quietly = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('up again on a watched stack', () => {
  it('applies the new watch rules: the new path restarts, the old one no longer does, ps shows them; no rules left: no watching', async () => {
    const port = await freePort();
    const p = track(project(manifest(port, '  watch: [{path: ./src, action: restart}]')));
    mkdirSync(path.join(p.dir, 'src'));
    mkdirSync(path.join(p.dir, 'lib'));
    writeFileSync(path.join(p.dir, 'src/server.cjs'), SERVER);
    writeFileSync(path.join(p.dir, 'src/message.txt'), 'v1');
    const up = await cli(p, ['up', '--wait', '--watch', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    expect((await app(p)).watch).toEqual(['src restart']);

    rewrite(p, manifest(port, '  watch: [{path: ./lib, action: restart}]'));
    const again = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(again.exitCode, again.all).toBe(0);
    expect((await app(p)).watch).toEqual(['lib restart']);

    // The old rule's path: no restart any more.
    const pid = (await app(p)).pid;
    writeFileSync(path.join(p.dir, 'src/message.txt'), 'v2');
    await quietly(1500);
    expect(restartLines(p)).toEqual([]);
    expect((await app(p)).pid).toBe(pid);
    // The new rule's path: a restart, which reads v2.
    writeFileSync(path.join(p.dir, 'lib/anything.txt'), 'x');
    await eventually(async () => (await answer(port)) === 'v2', 20_000, 'the restart by the new rule');
    await eventually(() => restartLines(p).length === 1, 10_000, 'its log line');

    // `up --watch` again is accepted on a running stack (Compose's `up --watch`), rules as written.
    rewrite(p, manifest(port, '  watch: [{path: ./src, action: restart}, {path: ./lib, action: restart}]'));
    const watchAgain = await cli(p, ['up', '--wait', '--watch', '--runtime', 'process']);
    expect(watchAgain.exitCode, watchAgain.all).toBe(0);
    expect((await app(p)).watch).toEqual(['src restart', 'lib restart']);

    // No rules left: nothing is watched any more.
    rewrite(p, manifest(port, ''));
    const bare = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(bare.exitCode, bare.all).toBe(0);
    expect((await app(p)).watch).toBeUndefined();
    writeFileSync(path.join(p.dir, 'lib/anything.txt'), 'y');
    await quietly(1500);
    expect(restartLines(p)).toHaveLength(1);

    expect((await cli(p, ['down'])).exitCode).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  }, 120_000);
});
