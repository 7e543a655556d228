import {describe, expect, it} from 'vitest';
import {composeHealthcheck} from '../../../src/generate/compose-healthcheck.js';
import {k8sProbes} from '../../../src/generate/k8s-probes.js';
import {LossList} from '../../../src/generate/loss.js';
import {makeProbe} from '../../../src/health/make-probe.js';
import type {ExecResult} from '../../../src/runtime/types.js';
import {service} from '../../helpers/manifest-builder.js';
import {CheckCancel} from '../../../src/health/probe.js';

// `${volumes.NAME}` in a health exec command means what it means in command and
// env (DESIGN): the mount path in a container, the host directory under the process runtime.
const app = service('app', 'app', {
  volumes: [{type: 'volume', source: 'data', target: '/data', readOnly: false}],
  health: {check: {kind: 'exec', command: ['test', '-f', '${volumes.data}/ready']}, intervalMs: 1000, timeoutMs: 1000, retries: 3, startPeriodMs: 0, startTimeoutMs: 10_000},
});

describe('${volumes.NAME} in a health exec command', () => {
  it('compose and Kubernetes get the mount path', () => {
    expect(composeHealthcheck(app, new LossList())?.test).toEqual(['CMD', 'test', '-f', '/data/ready']);
    expect(k8sProbes(app, new LossList()).readinessProbe).toMatchObject({exec: {command: ['test', '-f', '/data/ready']}});
  });

  it('the probe runs the command with the path the runtime gives', async () => {
    const ran: string[][] = [];
    const access = {
      endpoint: () => Promise.reject(new Error('unused')),
      exec: async (_s: unknown, command: string[]): Promise<ExecResult> => {
        ran.push(command);
        return {exitCode: 0, stdout: '', stderr: ''};
      },
      volumePath: (_s: unknown, volume: string) => `/host/.sidecar/volumes/${volume}`,
    };
    await makeProbe(app, access, () => () => undefined)!.check(new CheckCancel());
    expect(ran).toEqual([['test', '-f', '/host/.sidecar/volumes/data/ready']]);
  });
});
