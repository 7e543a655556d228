import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cli, ensureBuilt, eventually, freePort, project, readJson, survivors, type Project} from './cli-harness.js';

// Issue 8.2: `run` against a stack that is already up tore that stack down under
// its supervisor and left the supervisor and its restarted services orphaned.
// Decision: `run` uses a running, ready stack of the same manifest (CMD gets its
// endpoints) and leaves it running; anything else is SIDECAR_ALREADY_RUNNING (exit 5).
const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

// An app that answers on a published port once ready (after readyDelayMs).
async function web(options: {readyDelayMs?: number; startTimeout?: string} = {}): Promise<{p: Project; port: number}> {
  const port = await freePort();
  const delay = options.readyDelayMs === undefined ? '' : `, READY_DELAY_MS: "${options.readyDelayMs}"`;
  const startTimeout = options.startTimeout === undefined ? '' : `, startTimeout: ${options.startTimeout}`;
  const p = project(`version: 1
name: web
app:
  command: [node, \${PROGRAMS}/http-server.js]
  env: {PORT: "${port}", NAME: app${delay}, SIDECAR_TEST_MARK: "\${MARK}"}
  ports: ["127.0.0.1:${port}:${port}"]
  health: {http: {port: ${port}, path: /healthz}${startTimeout}}
  stopTimeout: 1s
`);
  live.push(p);
  return {p, port};
}

const fetchApp = `fetch('http://' + process.env.SIDECAR_APP_HOST + ':' + process.env.SIDECAR_APP_PORT + '/').then(async (r) => { console.log('GOT ' + (await r.text()).trim()); process.exit(7); })`;

describe('run against a running stack', () => {
  it('uses a ready stack of the same manifest and leaves it running', async () => {
    const {p} = await web();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const before = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json')).pid;
    const appPid = JSON.parse((await cli(p, ['ps', '--json'])).stdout).services[0].pid as number;

    const run = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', fetchApp]);
    expect(run.exitCode, run.all).toBe(7);
    expect(run.stdout).toContain('GOT hello from app');
    expect(run.stderr).toMatch(new RegExp(`using the running stack web \\(supervisor pid ${before}\\).*left running`));

    // Same supervisor, same app process, still healthy: nothing was torn down.
    const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout);
    expect(ps.supervisor.pid).toBe(before);
    expect(ps.services[0]).toMatchObject({state: 'running', health: 'healthy', pid: appPid, restarts: 0});
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });

  // Found by a new user's trial: with the manifest's port edited after `up -d`, `run`
  // handed CMD the edited port, where nothing listened, and CMD failed.
  it('gives CMD the running stack\'s endpoints when the manifest was edited since, and says so', async () => {
    const {p, port} = await web();
    expect((await cli(p, ['up', '--wait', '--runtime', 'process'])).exitCode).toBe(0);
    const other = await freePort();
    const file = path.join(p.dir, 'sidecar.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(String(port), String(other)));
    const run = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', fetchApp]);
    expect(run.exitCode, run.all).toBe(7);
    expect(run.stdout).toContain('GOT hello from app');
    expect(run.stderr).toContain(`was edited since the stack started: CMD gets the running stack's endpoints (SIDECAR_APP_PORT=${port}); \`sidecar up\` applies the edit`);
  });

  // Found by a new user's trial: `up -d` then `run -- CMD` at once (a CI script)
  // was refused with "it is starting, not ready".
  it('waits for a stack of the same manifest that is still starting, then runs CMD against it', async () => {
    const {p} = await web({readyDelayMs: 1500});
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    const run = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', fetchApp]);
    expect(run.exitCode, run.all).toBe(7);
    expect(run.stdout).toContain('GOT hello from app');
    expect(run.stderr).toContain('is starting: waiting for it to be ready');
    expect(JSON.parse((await cli(p, ['ps', '--json'])).stdout).services[0]).toMatchObject({state: 'running', health: 'healthy'});
  });

  it('a stack still starting that fails: exit 5 with the failure, and CMD does not run', async () => {
    const {p} = await web({readyDelayMs: 60_000, startTimeout: '2s'});
    expect((await cli(p, ['up', '-d', '--runtime', 'process'])).exitCode).toBe(0);
    const run = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', 'console.log("CMD RAN")']);
    expect(run.exitCode, run.all).toBe(5);
    expect(run.stderr).toContain('SIDECAR_STACK_FAILED');
    expect(run.stdout).not.toContain('CMD RAN');
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'the failed stack to be gone');
  });

  it('refuses (exit 5) a stack started from another manifest file, and leaves it alone', async () => {
    const {p} = await web();
    const other = path.join(p.dir, 'other.yaml');
    writeFileSync(other, `version: 1
name: other
app:
  command: [node, ${path.resolve('test/fixtures/programs/forever.js')}]
  env: {SIDECAR_TEST_MARK: "${p.mark}"}
  stopTimeout: 1s
`);
    expect((await cli(p, ['up', '--wait', '--runtime', 'process', '-f', 'other.yaml'])).exitCode).toBe(0);
    const pid = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json')).pid;
    const run = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', 'console.log("CMD RAN")']);
    expect(run.exitCode, run.all).toBe(5);
    expect(run.stderr).toContain('SIDECAR_ALREADY_RUNNING');
    expect(run.stderr).toContain('sidecar down');
    expect(run.stdout).not.toContain('CMD RAN');
    expect(readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json')).pid).toBe(pid);
    expect((await cli(p, ['down', '-f', 'other.yaml'])).exitCode).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('a second run while the first one owns the stack is refused; the first one finishes cleanly', async () => {
    const {p} = await web();
    const marker = path.join(p.dir, 'first-ran');
    const first = cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, ''); setTimeout(() => {}, 4000)`]);
    await eventually(async () => (await import('node:fs')).existsSync(marker), 30_000, 'the first CMD running');
    const second = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', 'console.log("SECOND RAN")']);
    expect(second.exitCode, second.all).toBe(5);
    expect(second.stderr).toContain('SIDECAR_ALREADY_RUNNING');
    expect(second.stdout).not.toContain('SECOND RAN');
    const done = await first;
    expect(done.exitCode, done.all).toBe(0);
    await eventually(() => survivors(p.mark).length === 0, 10_000, 'nothing left');
  });
});
