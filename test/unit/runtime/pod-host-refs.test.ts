import {describe, expect, it} from 'vitest';
import {makeProbe} from '../../../src/health/make-probe.js';
import type {Health} from '../../../src/manifest/types.js';
import {serviceCommand, serviceEnv} from '../../../src/runtime/process/service-env.js';
import type {ExecOptions, ExecResult, ProbeAccess} from '../../../src/runtime/types.js';
import {podsByName, service} from '../../helpers/manifest-builder.js';
import {CheckCancel} from '../../../src/health/probe.js';

// Issue 10.3: under the process runtime every pod shares the host's loopback, so
// `${pods.NAME.host}` is 127.0.0.1 wherever the manifest may write it.
const health = (command: string[]): Health => ({check: {kind: 'exec', command}, intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, startTimeoutMs: 10_000});

const stack = podsByName({
  pods: {
    payments: {app: service('app', 'app', {command: ['pay']})},
    orders: {
      after: ['payments'],
      app: service('app', 'app', {
        command: ['orders', '--upstream=http://${pods.payments.host}:15000'],
        env: {UPSTREAM: 'http://${pods.payments.host}:15000', PLAIN: 'x'},
        process: {command: ['orders-host', '${pods.payments.host}'], env: {HOST_ONLY: '${pods.payments.host}:1,${pods.orders.host}'}},
        health: health(['check', '${pods.payments.host}']),
      }),
    },
  },
});
const orders = stack.pods[1]!.app;

describe('${pods.NAME.host} under the process runtime', () => {
  it('is 127.0.0.1 in env and in process: env overrides', () => {
    const env = serviceEnv(stack, orders, {}, {});
    expect(env).toMatchObject({UPSTREAM: 'http://127.0.0.1:15000', HOST_ONLY: '127.0.0.1:1,127.0.0.1', PLAIN: 'x'});
  });

  it('is 127.0.0.1 in the command (process: command over command)', () => {
    expect(serviceCommand(stack, orders)).toEqual(['orders-host', '127.0.0.1']);
    expect(serviceCommand(stack, {...orders, process: {env: {}}})).toEqual(['orders', '--upstream=http://127.0.0.1:15000']);
  });

  it('is what the runtime says in a health exec command', async () => {
    const ran: string[][] = [];
    const access: ProbeAccess = {
      endpoint: async () => ({host: '127.0.0.1', port: 1}),
      exec: async (_s, command: string[], _o: ExecOptions): Promise<ExecResult> => {
        ran.push(command);
        return {exitCode: 0, stdout: '', stderr: ''};
      },
      volumePath: () => '/v',
      podHost: (pod) => `host-of-${pod}`,
    };
    await makeProbe(orders, access, () => () => undefined)!.check(new CheckCancel());
    expect(ran).toEqual([['check', 'host-of-payments']]);
  });
});
