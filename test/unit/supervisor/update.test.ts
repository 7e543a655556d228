import {describe, expect, it} from 'vitest';
import type {Service} from '../../../src/manifest/types.js';
import {Supervisor} from '../../../src/supervisor/supervisor.js';
import {FakeClock} from '../../helpers/fake-clock.js';
import {FakeRuntime} from '../../helpers/fake-runtime.js';
import {manifest, service} from '../../helpers/manifest-builder.js';

const cmd = (name: string, role: Service['role'], overrides: Partial<Service> = {}) => service(name, role, {command: [name], ...overrides});

async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let outcome: {value?: T; error?: unknown} | undefined;
  promise.then((value) => (outcome = {value}), (error: unknown) => (outcome = {error}));
  for (let t = 0; t < 10_000 && !outcome; t += 50) await clock.advance(50);
  if (!outcome) throw new Error('did not settle in fake time');
  if (outcome.error !== undefined) throw outcome.error;
  return outcome.value as T;
}

function stack(env: Record<string, string> = {}) {
  return manifest({sidecars: [cmd('proxy', 'sidecar'), cmd('shipper', 'sidecar', {env})], app: cmd('app', 'app'), init: [cmd('migrate', 'init')]});
}

// `up` on a running stack (Compose's convergence): only what changed is recreated.
describe('Supervisor.update', () => {
  async function running() {
    const clock = new FakeClock();
    const runtime = new FakeRuntime(clock);
    const supervisor = new Supervisor({manifest: stack(), runtime, clock, random: () => 0.5});
    const started = supervisor.start();
    await clock.advance(10);
    runtime.exit('migrate', 0);
    await settle(clock, started);
    return {clock, runtime, supervisor};
  }

  it('recreates only the changed service, in place, and leaves the others running', async () => {
    const {clock, runtime, supervisor} = await running();
    const before = runtime.log.length;
    const result = await settle(clock, supervisor.update(stack({LEVEL: 'debug'})));
    expect(result).toEqual({recreated: ['shipper'], started: [], unchanged: ['migrate', 'proxy', 'app']});
    expect(runtime.log.slice(before).map((l) => `${l.op} ${l.service}`)).toEqual(['stop shipper', 'start shipper']);
    expect(supervisor.status().map((s) => [s.name, s.state])).toEqual([['migrate', 'exited'], ['proxy', 'running'], ['shipper', 'running'], ['app', 'running']]);
  });

  it('does nothing when nothing changed', async () => {
    const {clock, runtime, supervisor} = await running();
    const before = runtime.log.length;
    expect(await settle(clock, supervisor.update(stack()))).toEqual({recreated: [], started: [], unchanged: ['migrate', 'proxy', 'shipper', 'app']});
    expect(runtime.log.length).toBe(before);
  });

  it('refuses a change of the pod itself (services added, ports) and touches nothing', async () => {
    const {clock, runtime, supervisor} = await running();
    const before = runtime.log.length;
    const added = manifest({sidecars: [cmd('proxy', 'sidecar'), cmd('shipper', 'sidecar'), cmd('extra', 'sidecar')], app: cmd('app', 'app'), init: [cmd('migrate', 'init')]});
    await expect(settle(clock, supervisor.update(added))).rejects.toMatchObject({code: 'SIDECAR_ALREADY_RUNNING', message: expect.stringContaining('the edited manifest adds, removes or reorders services, which the running pod cannot take in place')});
    const ported = manifest({sidecars: [cmd('proxy', 'sidecar', {ports: [{hostIp: '127.0.0.1', hostPort: 9, containerPort: 9, protocol: 'tcp'}]}), cmd('shipper', 'sidecar')], app: cmd('app', 'app'), init: [cmd('migrate', 'init')]});
    await expect(settle(clock, supervisor.update(ported))).rejects.toMatchObject({message: expect.stringContaining('published ports')});
    expect(runtime.log.length).toBe(before);
  });

  // Issue 8.12: `up proxy`, then `up app`, starts the app (and what it waits for) instead of saying it runs.
  it('starts the named services that do not run yet, gated on the running ones, and touches nothing else', async () => {
    const clock = new FakeClock();
    const runtime = new FakeRuntime(clock);
    const supervisor = new Supervisor({manifest: stack(), runtime, clock, random: () => 0.5});
    const started = supervisor.start({only: ['proxy']});
    await clock.advance(10);
    runtime.exit('migrate', 0);
    await settle(clock, started);
    expect(supervisor.status().map((s) => [s.name, s.state])).toEqual([['migrate', 'exited'], ['proxy', 'running'], ['shipper', 'pending'], ['app', 'pending']]);
    const before = runtime.log.length;
    expect(await settle(clock, supervisor.update(stack(), ['app']))).toEqual({recreated: [], started: ['shipper', 'app'], unchanged: ['migrate', 'proxy']});
    expect(runtime.log.slice(before).map((l) => `${l.op} ${l.service}`)).toEqual(['start shipper', 'start app']);
    expect(supervisor.status().map((s) => s.state)).toEqual(['exited', 'running', 'running', 'running']);
    expect(await settle(clock, supervisor.update(stack(), ['app']))).toEqual({recreated: [], started: [], unchanged: ['migrate', 'proxy', 'shipper', 'app']});
  });
});
