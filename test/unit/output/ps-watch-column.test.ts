import {Chalk} from 'chalk';
import {describe, expect, it} from 'vitest';
import type {PsResult} from '../../../src/host/control/protocol.js';
import {psTable} from '../../../src/output/ps-view.js';
import type {ServiceStatus} from '../../../src/supervisor/types.js';

// Issue 11.5: `ps` shows what each service watches, only under `up --watch`.
const plain = new Chalk({level: 0});
const status = (name: string, role: ServiceStatus['role'], extra: Partial<ServiceStatus> = {}): ServiceStatus => ({
  name,
  role,
  state: 'running',
  health: 'healthy',
  restarts: 0,
  pid: 100,
  containerId: null,
  exitCode: null,
  ports: [],
  ...extra,
});

describe('ps WATCH column', () => {
  it('lists each watched service\'s rules, `-` for the others', () => {
    const ps: PsResult = {project: 'shop', runtime: 'docker', supervisor: {pid: 7}, services: [status('proxy', 'sidecar', {pid: 11}), status('app', 'app', {pid: 12, watch: ['src restart', 'public sync']})]};
    expect(psTable(ps, plain, 0).split('\n')).toEqual([
      'shop (docker) supervisor pid 7',
      'NAME   ROLE     STATE    HEALTH   RESTARTS  PID/CONTAINER  PORTS  WATCH',
      'proxy  sidecar  running  healthy  0         11             -      -',
      'app    app      running  healthy  0         12             -      src restart, public sync',
    ]);
  });

  it('has no WATCH column when nothing is watched', () => {
    const ps: PsResult = {project: 'shop', runtime: 'process', supervisor: {pid: 7}, services: [status('app', 'app', {pid: 12})]};
    expect(psTable(ps, plain, 0).split('\n')[1]).toBe('NAME  ROLE  STATE    HEALTH   RESTARTS  PID/CONTAINER  PORTS');
  });
});
