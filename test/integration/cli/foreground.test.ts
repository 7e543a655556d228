import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import path from 'node:path';
import {cli, ensureBuilt, eventually, freePort, project, readJson, survivors, type Project} from './cli-harness.js';

const live: Project[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const p of live.splice(0)) await cli(p, ['down', '--timeout', '1s']);
});

async function stack(appCommand = '[node, ${PROGRAMS}/forever.js]', appEnv = ''): Promise<Project> {
  const port = await freePort();
  const p = project(`version: 1
name: fg
app:
  command: ${appCommand}
  env: {SIDECAR_TEST_MARK: "\${MARK}"${appEnv}}
  restart: never
  stopTimeout: 2s
sidecars:
  web:
    command: [node, \${PROGRAMS}/http-server.js]
    env: {PORT: "${port}", SIDECAR_TEST_MARK: "\${MARK}"}
    ports: ["${port}:${port}"]
    health: {http: {port: ${port}, path: /healthz}}
    stopTimeout: 2s
  stubborn:
    command: [node, \${PROGRAMS}/term-ignorer.js]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    stopTimeout: 1s
`);
  live.push(p);
  return p;
}

describe('foreground up and run', () => {
  it('Ctrl-C of foreground `up` stops everything in order: prefixed logs, exit 130, zero orphans', async () => {
    const p = await stack();
    const up = cli(p, ['up', '--runtime', 'process']);
    let out = '';
    up.all!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => /^web +\| listening/m.test(out) && /^stubborn +\| started/m.test(out), 20_000, 'prefixed logs');
    await eventually(() => /^app +\| started/m.test(out), 20_000, 'app log');
    up.kill('SIGINT');
    const result = await up;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).toContain('stopping fg');
    // The end of the stop is said too, last (found by a new user's trial).
    expect(result.stderr.trim().split('\n').at(-1)).toBe('stopped fg');
    expect(survivors(p.mark)).toEqual([]);
  });

  // Found by a new user's trial: the output just ended after the ready line, exit 0.
  it('foreground `up` stopped by `down` from another terminal says so, exit 0, nothing left', async () => {
    const p = await stack();
    const up = cli(p, ['up', '--runtime', 'process']);
    let out = '';
    up.all!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const phase = (): string | undefined => {
      try {
        return readJson<{phase?: string}>(path.join(p.dir, '.sidecar/state.json')).phase;
      } catch {
        return undefined; // Not written yet.
      }
    };
    await eventually(() => phase() === 'ready', 20_000, 'the stack to be ready');
    expect((await cli(p, ['down'])).exitCode).toBe(0);
    const result = await up;
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toContain('fg was stopped by `sidecar down`');
    expect(survivors(p.mark)).toEqual([]);
  });

  // Found by a new user's trial: a crash loop and a sidecar given up on were silent;
  // Compose says `proxy-1 exited with code 1`. The teardown stop is not said per service.
  it('foreground `up` says a restart and a give-up among the logs, and nothing per service on Ctrl-C', async () => {
    const p = project(`version: 1
name: crashy
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  stopTimeout: 2s
sidecars:
  proxy:
    command: [sh, -c, "echo up; sleep 0.3; exit 3"]
    env: {SIDECAR_TEST_MARK: "\${MARK}"}
    maxRestarts: 1
`);
    live.push(p);
    const up = cli(p, ['up', '--runtime', 'process']);
    let out = '';
    up.all!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually(() => /^proxy +\| failed: /m.test(out), 20_000, 'the give-up line');
    up.kill('SIGINT');
    const result = await up;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.stdout).toMatch(/^proxy +\| exited with code 3; restarting in \d+(?:ms|\.\ds) \(restart 1\)$/m);
    expect(result.stdout).toMatch(/^proxy +\| failed: exited with code 3; gave up after 1 restart \(maxRestarts 1\)$/m);
    // The app stopped by Ctrl-C is not reported as an exit: `stopping`/`stopped crashy` say it.
    expect(result.stdout).not.toMatch(/^app +\| exited/m);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('foreground `up` exits with the app exit code when the app completes', async () => {
    const p = await stack('[node, ${PROGRAMS}/exit.js]', ', EXIT_CODE: "4", DELAY_MS: "200"');
    const result = await cli(p, ['up', '--runtime', 'process']);
    expect(result.exitCode, result.all).toBe(4);
    expect(result.stdout).toMatch(/^app +\| exiting \d+ with 4$/m);
    // Said as Compose says it; the sidecars stopped after it are not.
    expect(result.stdout).toMatch(/^app +\| exited with code 4$/m);
    expect(result.stdout).not.toMatch(/^(?:web|stubborn) +\| exited/m);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('run -- CMD gets the endpoints, exits with its code, and leaves nothing', async () => {
    const p = await stack();
    const script = 'const p=process.env.SIDECAR_WEB_PORT; fetch(`http://${process.env.SIDECAR_WEB_HOST}:${p}/`).then(r=>r.text()).then(t=>{console.log("got "+t.trim()+" from "+process.env.SIDECAR_PROJECT); process.exit(7)})';
    const result = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', script]);
    expect(result.exitCode, result.all).toBe(7);
    expect(result.stdout).toContain('got hello from http-server from fg');
    expect(survivors(p.mark)).toEqual([]);
  });

  it('run exits 5 when the stack never becomes ready, without running CMD', async () => {
    const dead = await freePort();
    const p = project(`version: 1
name: never
app:
  command: [node, \${PROGRAMS}/forever.js]
  env: {SIDECAR_TEST_MARK: "\${MARK}"}
  health: {tcp: {port: ${dead}}, startTimeout: 1s}
`);
    live.push(p);
    const result = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', 'console.log("CMD RAN")']);
    expect(result.exitCode, result.all).toBe(5);
    expect(result.all).not.toContain('CMD RAN');
    expect(result.stderr).toMatch(/last (?:\d+ log lines|log line) of app:\n +started \d+ pid/);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('usage errors exit 2', async () => {
    const p = await stack();
    expect((await cli(p, ['run', '--runtime', 'process'])).exitCode).toBe(2);
    expect((await cli(p, ['up', '--timeout', 'soon'])).exitCode).toBe(2);
    expect((await cli(p, ['up', '--runtime', 'process', 'nope'])).exitCode).toBe(2);
  });
});
