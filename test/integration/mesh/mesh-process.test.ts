import {randomUUID} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {ensureBuilt, survivors} from '../cli/cli-harness.js';
import {meshCopy, meshPorts, runSmoke} from './mesh-stack.js';

// Issue 10 point 7: examples/mesh under the process runtime, as the README runs
// it. orders -> orders' egress proxy -> payments' ingress proxy -> payments,
// pods found through ${pods.payments.host}; the smoke script is the judge.
describe('examples/mesh under the process runtime', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('an order is paid through both proxies, the proxies and the exporter count it, and nothing is left running', async () => {
    const mesh = meshCopy();
    const mark = randomUUID();
    const run = await runSmoke(mesh, 'process', {...(await meshPorts()), SIDECAR_TEST_MARK: mark});
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain('smoke: OK');
    expect(run.stdout).toMatch(/paid by pay-1, via 2 proxies \(X-Forwarded-For: 127\.0\.0\.1, 127\.0\.0\.1\)/);
    expect(run.stdout).toContain("payments' ingress proxy answered 3 more 200s");
    // Each pod's services logged under POD/SERVICE: the apps saw the calls.
    const log = (id: string): string => readFileSync(path.join(mesh.dir, '.sidecar/logs', `${id}.log`), 'utf8');
    expect(log('orders/app')).toMatch(/paid by pay-3/);
    expect(log('payments/app')).toMatch(/2 proxy hops: 127\.0\.0\.1, 127\.0\.0\.1/);
    expect(log('payments/ingress')).toMatch(/"method":"PUT","path":"\/payments\/ord-[0-9a-f]+","status":200/);
    // Stop in reverse pod order: orders (after payments) got its SIGTERM first.
    const stoppedAt = (id: string, who: string): number => Date.parse(new RegExp(`^(\\S+) o ${who}: SIGTERM`, 'm').exec(log(id))?.[1] ?? 'NaN');
    expect(stoppedAt('orders/app', 'orders')).toBeLessThanOrEqual(stoppedAt('payments/app', 'payments'));
    expect(survivors(mark)).toEqual([]);
  }, 300_000);

  it('the smoke fails, naming the cause, when the egress proxy cannot reach payments', async () => {
    const mesh = meshCopy();
    // Port 1: nothing listens there, so every try of the egress proxy is refused.
    writeFileSync(mesh.file, readFileSync(mesh.file, 'utf8').replace('UPSTREAMS: "${pods.payments.host}:${INGRESS_PORT:-18183}"', `UPSTREAMS: "\${pods.payments.host}:1"`));
    expect(readFileSync(mesh.file, 'utf8')).toContain(':1"');
    const mark = randomUUID();
    const run = await runSmoke(mesh, 'process', {...(await meshPorts()), SIDECAR_TEST_MARK: mark});
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stderr).toContain('smoke: FAILED: expected 201 from orders, got 502');
    expect(survivors(mark)).toEqual([]);
  }, 300_000);
});
