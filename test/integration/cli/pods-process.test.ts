import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cli, eventually, freePort, project, readJson, survivors, trackProjects} from './cli-harness.js';

const track = trackProjects();

// Issue 10.3: a stack of two pods under the process runtime, through the CLI:
// discovery by ${pods.NAME.host}, logs per pod, and zero orphans after the
// supervisor is SIGKILLed and `down` runs.
async function twoPods() {
  const [pay, ingress] = [await freePort(), await freePort()];
  return track(
    project(`version: 1
name: shop
pods:
  payments:
    app:
      command: [node, \${PROGRAMS}/http-server.js]
      env: {PORT: "${pay}", SIDECAR_TEST_MARK: "\${MARK}"}
      health: {http: {port: ${pay}, path: /healthz}}
      stopTimeout: 1s
    sidecars:
      ingress:
        command: [node, \${PROGRAMS}/term-ignorer.js]
        env: {SIDECAR_TEST_MARK: "\${MARK}"}
        stopTimeout: 1s
  orders:
    after: [payments]
    app:
      command: [node, \${PROGRAMS}/forever.js, "\${pods.payments.host}"]
      env: {PAYMENTS_HOST: "\${pods.payments.host}", INGRESS: "${ingress}", SIDECAR_TEST_MARK: "\${MARK}"}
      stopTimeout: 1s
    sidecars:
      egress:
        command: [node, \${PROGRAMS}/forever.js]
        env: {SIDECAR_TEST_MARK: "\${MARK}"}
        stopTimeout: 1s
`),
  );
}

interface PsJson {
  supervisor: {pid: number} | null;
  services: {name: string; pod: string; state: string; pid: number | null}[];
}

describe('several pods under the process runtime (CLI)', () => {
  it('up --wait runs both pods, ps --json lists them, SIGKILL of the supervisor then down leaves nothing', async () => {
    const p = await twoPods();
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const ps = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as PsJson;
    expect(ps.services.map((s) => [s.name, s.pod, s.state])).toEqual([
      ['payments/ingress', 'payments', 'running'],
      ['payments/app', 'payments', 'running'],
      ['orders/egress', 'orders', 'running'],
      ['orders/app', 'orders', 'running'],
    ]);
    // ${pods.payments.host} is the loopback, in env and in command.
    const orders = ps.services.find((s) => s.name === 'orders/app')!.pid!;
    const environ = readFileSync(`/proc/${orders}/environ`, 'utf8').split('\0');
    expect(environ).toContain('PAYMENTS_HOST=127.0.0.1');
    expect(readFileSync(`/proc/${orders}/cmdline`, 'utf8').split('\0')).toContain('127.0.0.1');
    // Each pod's logs in its own directory, read back by id and by pod.
    expect(existsSync(path.join(p.dir, '.sidecar/logs/payments/app.log'))).toBe(true);
    const logs = await cli(p, ['logs', 'payments/app', '--tail', '5']);
    expect(logs.exitCode, logs.all).toBe(0);
    expect(logs.stdout).toMatch(/listening \d+ on \d+/);

    const {pid} = readJson<{pid: number}>(path.join(p.dir, '.sidecar/supervisor.json'));
    // supervisor + 4 units + the term-ignorer's child.
    await eventually(() => survivors(p.mark).length >= 6, 10_000, 'every process of the stack');
    process.kill(pid, 'SIGKILL');
    await eventually(() => !survivors(p.mark).includes(pid), 5000, 'supervisor gone');
    expect(survivors(p.mark).length).toBeGreaterThanOrEqual(5);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toContain('leftover');
    expect(survivors(p.mark)).toEqual([]);
  });

  it('up POD starts that pod and the pods it is after; a later up starts the rest', async () => {
    const p = await twoPods();
    const up = await cli(p, ['up', '--wait', '--runtime', 'process', 'payments']);
    expect(up.exitCode, up.all).toBe(0);
    const first = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as PsJson;
    expect(first.services.map((s) => [s.name, s.state])).toEqual([
      ['payments/ingress', 'running'],
      ['payments/app', 'running'],
      ['orders/egress', 'pending'],
      ['orders/app', 'pending'],
    ]);
    const more = await cli(p, ['up', '--wait', '--runtime', 'process', 'orders']);
    expect(more.exitCode, more.all).toBe(0);
    const second = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as PsJson;
    expect(second.services.map((s) => s.state)).toEqual(['running', 'running', 'running', 'running']);
    // payments kept its processes.
    expect(second.services.slice(0, 2).map((s) => s.pid)).toEqual(first.services.slice(0, 2).map((s) => s.pid));
    // restart POD restarts that pod's services only; logs POD reads all of them.
    const restart = await cli(p, ['restart', 'orders']);
    expect(restart.exitCode, restart.all).toBe(0);
    const third = JSON.parse((await cli(p, ['ps', '--json'])).stdout) as PsJson;
    expect(third.services.map((s) => s.state)).toEqual(['running', 'running', 'running', 'running']);
    expect(third.services.slice(0, 2).map((s) => s.pid)).toEqual(first.services.slice(0, 2).map((s) => s.pid));
    for (const i of [2, 3]) expect(third.services[i]!.pid).not.toBe(second.services[i]!.pid);
    const logs = await cli(p, ['logs', 'orders']);
    expect(logs.exitCode, logs.all).toBe(0);
    expect(logs.stdout).toMatch(/^orders\/egress\s*\| started/m);
    expect(logs.stdout).toMatch(/^orders\/app\s*\| started/m);
    expect(logs.stdout).not.toMatch(/^payments/m);
    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    expect(survivors(p.mark)).toEqual([]);
  });
});

describe('foreground up of several pods', () => {
  it('ends once every pod finished (the last one too), with the first non-zero app exit code, leaving nothing', async () => {
    const p = track(
      project(`version: 1
name: batch
pods:
  quick:
    app: {command: [node, \${PROGRAMS}/exit.js], env: {EXIT_CODE: "0", DELAY_MS: "300", SIDECAR_TEST_MARK: "\${MARK}"}, restart: never}
    sidecars:
      side: {command: [node, \${PROGRAMS}/forever.js], env: {SIDECAR_TEST_MARK: "\${MARK}"}, stopTimeout: 1s}
  slow:
    app: {command: [node, \${PROGRAMS}/exit.js], env: {EXIT_CODE: "3", DELAY_MS: "1500", SIDECAR_TEST_MARK: "\${MARK}"}, restart: never}
  last:
    after: [quick]
    app: {command: [node, \${PROGRAMS}/exit.js], env: {EXIT_CODE: "4", DELAY_MS: "3000", SIDECAR_TEST_MARK: "\${MARK}"}, restart: never}
`),
    );
    const up = await cli(p, ['up', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(3);
    expect(up.stdout).toMatch(/^slow\/app\s*\| exiting \d+ with 3$/m);
    expect(up.stdout).toMatch(/^last\/app\s*\| exiting \d+ with 4$/m);
    expect(survivors(p.mark)).toEqual([]);
  });

  // Found in stop 20: the stack waited for every pod's end, the pods `up POD` never started too, so it never ended.
  it('up POD in the foreground ends when that pod finished, with its app\'s code, though other pods never started', async () => {
    const p = track(
      project(`version: 1
name: subset
pods:
  job:
    app: {command: [node, \${PROGRAMS}/exit.js], env: {EXIT_CODE: "4", DELAY_MS: "300", SIDECAR_TEST_MARK: "\${MARK}"}, restart: never}
    sidecars:
      side: {command: [node, \${PROGRAMS}/forever.js], env: {SIDECAR_TEST_MARK: "\${MARK}"}, stopTimeout: 1s}
  other:
    app: {command: [node, \${PROGRAMS}/forever.js], env: {SIDECAR_TEST_MARK: "\${MARK}"}, stopTimeout: 1s}
`),
    );
    const running = cli(p, ['up', '--runtime', 'process', 'job']);
    // Hung as before: killed, so the test fails on the code rather than on its own timeout.
    const guard = setTimeout(() => running.kill('SIGTERM'), 15_000);
    const up = await running;
    clearTimeout(guard);
    expect(up.exitCode, up.all).toBe(4);
    expect(up.stdout).toMatch(/^job\/app\s*\| exiting \d+ with 4$/m);
    expect(survivors(p.mark)).toEqual([]);
  });
});
