import {describe, expect, it} from 'vitest';
import {cli, eventsStream, eventually, freePort, project, survivors, trackProjects, type Project} from './cli-harness.js';

// Issue 10 points 2 and 6 through the built CLI, process runtime: naming a pod
// and a service on the command line, and what ps, logs and events show of a
// stack of two pods. Both pods have a `proxy`, so a bare `proxy` is ambiguous.
const track = trackProjects();

type PsService = {name: string; pod: string; role: string; state: string; pid: number | null};

function twoPods(): Project {
  const forever = (indent: string, who: string) =>
    `${indent}command: [node, \${PROGRAMS}/forever.js]\n${indent}env: {SIDECAR_TEST_MARK: "\${MARK}", WHO: "${who}"}\n${indent}stopTimeout: 1s\n`;
  return track(
    project(`version: 1
name: shop
pods:
  payments:
    app:
${forever('      ', 'payments-app')}    sidecars:
      proxy:
${forever('        ', 'payments-proxy')}  orders:
    after: [payments]
    app:
${forever('      ', 'orders-app')}    sidecars:
      proxy:
${forever('        ', 'orders-proxy')}      egress:
${forever('        ', 'orders-egress')}`),
  );
}

async function psJson(p: Project): Promise<PsService[]> {
  const ps = await cli(p, ['ps', '--json']);
  expect(ps.exitCode, ps.all).toBe(0);
  return (JSON.parse(ps.stdout) as {services: PsService[]}).services;
}

const pidsOf = (services: PsService[]): Record<string, number | null> => Object.fromEntries(services.map((s) => [s.name, s.pid]));

// Every line of `logs` output, as [prefix, text].
const prefixed = (stdout: string): Array<[string, string]> =>
  stdout
    .split('\n')
    .filter((l) => l.includes(' | '))
    .map((l) => {
      const [prefix, ...rest] = l.split(' | ');
      return [prefix!.trimEnd(), rest.join(' | ')];
    });

function expectAmbiguous(result: {exitCode?: number; stderr: string; all?: string}): void {
  expect(result.exitCode, result.all).toBe(2);
  expect(result.stderr).toContain('SIDECAR_AMBIGUOUS_SERVICE');
  expect(result.stderr).toContain('"proxy" is a service in pods payments and orders');
  expect(result.stderr).toContain('write payments/proxy or orders/proxy');
}

describe('a stack of two pods through the CLI', () => {
  it('an ambiguous bare name is exit 2 with the candidates, with no stack and with one running', async () => {
    const p = twoPods();
    expectAmbiguous(await cli(p, ['logs', 'proxy']));
    expectAmbiguous(await cli(p, ['restart', 'proxy']));
    expectAmbiguous(await cli(p, ['exec', 'proxy', '--', 'true']));
    expectAmbiguous(await cli(p, ['up', '-d', '--runtime', 'process', 'proxy']));
    expect(survivors(p.mark)).toEqual([]);
    const unknown = await cli(p, ['logs', 'order']);
    expect(unknown.exitCode, unknown.all).toBe(2);
    expect(unknown.stderr).toContain('SIDECAR_UNKNOWN_SERVICE');
    expect(unknown.stderr).toContain('did you mean "orders"?');

    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    expectAmbiguous(await cli(p, ['logs', 'proxy']));
    expectAmbiguous(await cli(p, ['restart', 'proxy']));
    expectAmbiguous(await cli(p, ['exec', 'proxy', '--', 'true']));
    expectAmbiguous(await cli(p, ['logs', '-f', 'proxy']));
  });

  it('ps shows the pods (table and json), logs and events prefix POD/SERVICE, restart and exec take POD/SERVICE', async () => {
    const p = twoPods();
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);

    const before = await psJson(p);
    expect(before.map((s) => [s.pod, s.name, s.state])).toEqual([
      ['payments', 'payments/proxy', 'running'],
      ['payments', 'payments/app', 'running'],
      ['orders', 'orders/proxy', 'running'],
      ['orders', 'orders/egress', 'running'],
      ['orders', 'orders/app', 'running'],
    ]);
    const table = await cli(p, ['ps']);
    expect(table.exitCode, table.all).toBe(0);
    const rows = table.stdout.split('\n');
    expect(rows[1]).toMatch(/^POD {7}NAME {4}ROLE/);
    expect(rows.slice(2).map((r) => r.split(/\s+/).slice(0, 3))).toEqual([
      ['payments', 'proxy', 'sidecar'],
      ['payments', 'app', 'app'],
      ['orders', 'proxy', 'sidecar'],
      ['orders', 'egress', 'sidecar'],
      ['orders', 'app', 'app'],
    ]);

    // A pod: the lines of each of its services and of nothing else, padded to the widest id.
    const pod = await cli(p, ['logs', 'orders']);
    expect(pod.exitCode, pod.all).toBe(0);
    const podLines = prefixed(pod.stdout);
    expect(new Set(podLines.map(([prefix]) => prefix))).toEqual(new Set(['orders/proxy', 'orders/egress', 'orders/app']));
    expect(pod.stdout).toMatch(/^orders\/app {4}\| started \d+ pid \d+$/m);
    const one = await cli(p, ['logs', 'orders/egress']);
    expect(one.exitCode, one.all).toBe(0);
    expect(prefixed(one.stdout).map(([prefix]) => prefix)).toEqual(['orders/egress']);
    // A bare name one pod has.
    const bare = await cli(p, ['logs', 'egress', '--json']);
    expect(bare.stdout.trim().split('\n').map((l) => (JSON.parse(l) as {service: string}).service)).toEqual(['orders/egress']);

    // restart POD/SERVICE: that service only, seen in its events.
    const {stream: events} = await eventsStream(p, undefined, false);
    const restart = await cli(p, ['restart', 'orders/proxy']);
    expect(restart.exitCode, restart.all).toBe(0);
    expect(restart.stdout).toBe('restarted orders/proxy');
    const afterOne = pidsOf(await eventually(async () => {
      const now = await psJson(p);
      return now.every((s) => s.state === 'running') && now;
    }, 20_000, 'every service running again'));
    const was = pidsOf(before);
    expect(afterOne['orders/proxy']).not.toBe(was['orders/proxy']);
    for (const id of ['payments/proxy', 'payments/app', 'orders/egress', 'orders/app']) expect(afterOne[id], id).toBe(was[id]);

    // restart POD: every service of the pod, none of the other pod.
    const whole = await cli(p, ['restart', 'orders', '--json']);
    expect(whole.exitCode, whole.all).toBe(0);
    expect((JSON.parse(whole.stdout) as {restarted: string[]}).restarted.sort()).toEqual(['orders/app', 'orders/egress', 'orders/proxy']);
    const afterPod = pidsOf(await eventually(async () => {
      const now = await psJson(p);
      return now.every((s) => s.state === 'running') && now;
    }, 20_000, 'every service running again'));
    for (const id of ['orders/proxy', 'orders/egress', 'orders/app']) expect(afterPod[id], id).not.toBe(afterOne[id]);
    for (const id of ['payments/proxy', 'payments/app']) expect(afterPod[id], id).toBe(was[id]);

    // exec POD/SERVICE runs in that service's environment; a pod is not one service.
    const exec = await cli(p, ['exec', 'orders/egress', '--', 'node', '-e', 'console.log(process.env.WHO)']);
    expect(exec.exitCode, exec.all).toBe(0);
    expect(exec.stdout).toBe('orders-egress');
    const execPayments = await cli(p, ['exec', 'payments/proxy', '--', 'node', '-e', 'console.log(process.env.WHO)']);
    expect(execPayments.stdout).toBe('payments-proxy');
    const execPod = await cli(p, ['exec', 'orders', '--', 'true']);
    expect(execPod.exitCode, execPod.all).toBe(2);
    expect(execPod.stderr).toContain('orders/proxy, orders/egress, orders/app');

    const down = await cli(p, ['down']);
    expect(down.exitCode, down.all).toBe(0);
    const streamed = (await events).stdout;
    expect(streamed).toMatch(/^\S+ orders\/proxy state \S+ -> stopping/m);
    expect(streamed).toMatch(/^\S+ orders\/proxy state \S+ -> running/m);
    expect(survivors(p.mark)).toEqual([]);

    // Stopped: the pods still read the same way, from the files.
    const offline = await cli(p, ['ps']);
    expect(offline.stdout.split('\n')[1]).toMatch(/^POD /);
    const past = await cli(p, ['logs', 'payments']);
    expect(past.exitCode, past.all).toBe(0);
    expect(new Set(prefixed(past.stdout).map(([prefix]) => prefix))).toEqual(new Set(['payments/proxy', 'payments/app']));
  });

  it('foreground up prefixes every line POD/SERVICE and names services by id while starting; run names endpoints by pod', async () => {
    const port = await freePort();
    const exits = (indent: string, who: string, extra = '') =>
      `${indent}command: [node, \${PROGRAMS}/exit.js]\n${indent}env: {SIDECAR_TEST_MARK: "\${MARK}", WHO: "${who}", DELAY_MS: "1500"}\n${indent}restart: never\n${extra}`;
    const p = track(
      project(`version: 1
name: shop
pods:
  payments:
    app:
${exits('      ', 'payments-app')}  orders:
    app:
${exits('      ', 'orders-app', `      ports: ["127.0.0.1:${port}:${port}"]\n`)}    sidecars:
      egress:
        command: [node, \${PROGRAMS}/forever.js]
        env: {SIDECAR_TEST_MARK: "\${MARK}"}
        stopTimeout: 1s
`),
    );
    const up = await cli(p, ['up', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    // Padded to the widest id (orders/egress), each line under its own service.
    expect(up.stdout).toMatch(/^orders\/app {4}\| exiting \d+ with 0$/m);
    expect(up.stdout).toMatch(/^payments\/app {2}\| exiting \d+ with 0$/m);
    expect(up.stdout).toMatch(/^orders\/egress \| started \d+ pid \d+$/m);
    // Plain progress lines interleave across pods, so they carry the id.
    expect(up.stdout).toMatch(/orders\/egress ready \(\d+\.\ds\)/);
    expect(survivors(p.mark)).toEqual([]);

    const run = await cli(p, ['run', '--runtime', 'process', '--', 'node', '-e', 'console.log(process.env.SIDECAR_ORDERS_APP_HOST + ":" + process.env.SIDECAR_ORDERS_APP_PORT)']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain(`127.0.0.1:${port}`);
    expect(survivors(p.mark)).toEqual([]);
  });

  it('restart POD reruns its init jobs, then restarts its sidecars and app; the other pod is left alone', async () => {
    const p = track(
      project(`version: 1
name: shop
pods:
  payments:
    app:
      command: [node, \${PROGRAMS}/forever.js]
      env: {SIDECAR_TEST_MARK: "\${MARK}"}
      stopTimeout: 1s
  orders:
    init:
      migrate:
        command: [node, \${PROGRAMS}/exit.js]
        env: {SIDECAR_TEST_MARK: "\${MARK}"}
    app:
      command: [node, \${PROGRAMS}/forever.js]
      env: {SIDECAR_TEST_MARK: "\${MARK}"}
      stopTimeout: 1s
`),
    );
    const up = await cli(p, ['up', '--wait', '--runtime', 'process']);
    expect(up.exitCode, up.all).toBe(0);
    const before = pidsOf(await psJson(p));
    const restart = await cli(p, ['restart', 'orders']);
    expect(restart.exitCode, restart.all).toBe(0);
    expect(restart.stdout).toBe('restarted orders/migrate, orders/app');
    const after = await eventually(async () => {
      const now = await psJson(p);
      return now.find((s) => s.name === 'orders/app')?.state === 'running' && now;
    }, 20_000, 'orders/app running again');
    expect(pidsOf(after)['orders/app']).not.toBe(before['orders/app']);
    expect(pidsOf(after)['payments/app']).toBe(before['payments/app']);
    // The init job ran twice: once at up, once for the restart, before the app.
    const migrate = await cli(p, ['logs', 'orders/migrate']);
    const starts = (stdout: string): number[] => [...stdout.matchAll(/\| started (\d+) pid/g)].map((m) => Number(m[1]));
    const migrations = starts(migrate.stdout);
    expect(migrations).toHaveLength(2);
    const apps = starts((await cli(p, ['logs', 'orders/app'])).stdout);
    expect(migrations[1]!).toBeLessThan(apps.at(-1)!);
  });
});
