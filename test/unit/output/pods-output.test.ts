import {Chalk} from 'chalk';
import {afterEach, describe, expect, it, vi} from 'vitest';
import type {PsResult} from '../../../src/host/control/protocol.js';
import type {Service} from '../../../src/manifest/types.js';
import {eventLine} from '../../../src/output/event-line.js';
import {LogPrefixer, colorIndex} from '../../../src/output/log-prefixer.js';
import {psJson, psTable} from '../../../src/output/ps-view.js';
import {showStartProgress, type StartWatch} from '../../../src/output/start-progress.js';
import type {ServiceStatus} from '../../../src/supervisor/types.js';
import {service} from '../../helpers/manifest-builder.js';

// Issue 10 point 6: output of a stack of several pods; the single form reads as before.
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

const twoPods: PsResult = {
  project: 'shop',
  runtime: 'process',
  supervisor: {pid: 7},
  services: [status('payments/ingress', 'sidecar', {pid: 11}), status('payments/app', 'app', {pid: 12}), status('orders/egress', 'sidecar', {pid: 21}), status('orders/app', 'app', {pid: 22, restarts: 1})],
};
const single: PsResult = {project: 'shop', runtime: 'process', supervisor: {pid: 7}, services: [status('proxy', 'sidecar', {pid: 11}), status('app', 'app', {pid: 12})]};

describe('ps with pods', () => {
  it('the table leads with a POD column and names each service in its pod', () => {
    expect(psTable(twoPods, plain, 0).split('\n')).toEqual([
      'shop (process) supervisor pid 7',
      'POD       NAME     ROLE     STATE    HEALTH   RESTARTS  PID/CONTAINER  PORTS',
      'payments  ingress  sidecar  running  healthy  0         11             -',
      'payments  app      app      running  healthy  0         12             -',
      'orders    egress   sidecar  running  healthy  0         21             -',
      'orders    app      app      running  healthy  1         22             -',
    ]);
  });

  it('the single form has no POD column, as before pods', () => {
    expect(psTable(single, plain, 0).split('\n')).toEqual([
      'shop (process) supervisor pid 7',
      'NAME   ROLE     STATE    HEALTH   RESTARTS  PID/CONTAINER  PORTS',
      'proxy  sidecar  running  healthy  0         11             -',
      'app    app      running  healthy  0         12             -',
    ]);
  });

  it('one pod of the pods form: no POD column, the id names the service', () => {
    const one: PsResult = {...single, services: [status('orders/proxy', 'sidecar'), status('orders/app', 'app')]};
    const lines = psTable(one, plain, 0).split('\n');
    expect(lines[1]).toMatch(/^NAME {10}ROLE/);
    expect(lines[2]).toMatch(/^orders\/proxy {2}sidecar/);
  });

  it('the state column is still the one painted', () => {
    const colour = new Chalk({level: 1});
    const failed: PsResult = {...twoPods, services: [status('orders/app', 'app', {state: 'failed'}), status('payments/app', 'app')]};
    const rows = psTable(failed, colour, 0).split('\n');
    // The padded STATE cell is painted red; the POD and NAME cells are not painted.
    expect(rows[2]!.startsWith(`orders    app   app   ${colour.red('failed ')}`)).toBe(true);
  });

  it('--json: every service carries its pod; the single form the project', () => {
    const pods = psJson(twoPods) as {services: Array<{name: string; pod: string}>};
    expect(pods.services.map((s) => [s.name, s.pod])).toEqual([
      ['payments/ingress', 'payments'],
      ['payments/app', 'payments'],
      ['orders/egress', 'orders'],
      ['orders/app', 'orders'],
    ]);
    const one = psJson(single) as {services: Array<{name: string; pod: string}>};
    expect(one.services.map((s) => [s.name, s.pod])).toEqual([
      ['proxy', 'shop'],
      ['app', 'shop'],
    ]);
  });
});

describe('log and event lines with pods', () => {
  it('prefix POD/SERVICE, padded to the widest id, each id its own colour', () => {
    const ids = ['payments/ingress', 'orders/app'];
    const prefixer = new LogPrefixer(ids, plain);
    expect(prefixer.format({service: 'orders/app', stream: 'stdout', line: 'hi', time: 0})).toBe('orders/app       | hi\n');
    expect(prefixer.format({service: 'payments/ingress', stream: 'stdout', line: 'up', time: 0})).toBe('payments/ingress | up\n');
    // Two pods' apps are told apart by colour too: the colour is of the id, not of `app`.
    const colours = new Set(['orders/app', 'payments/app', 'orders/egress', 'payments/ingress'].map(colorIndex));
    expect(colours.size).toBeGreaterThan(1);
  });

  it('events name the service by its id', () => {
    expect(eventLine({time: 0, service: 'orders/egress', type: 'state', from: 'starting', to: 'running'})).toBe('1970-01-01T00:00:00.000Z orders/egress state starting -> running');
  });
});

describe('start-up progress with pods', () => {
  afterEach(() => vi.restoreAllMocks());
  const own = (pod: string, name: string, role: Service['role']): Service => service(name, role, {pod, id: `${pod}/${name}`});

  // What the progress writes to stdout, as a terminal (fancy) or plain lines.
  async function progress(services: Service[], statuses: ServiceStatus[], terminal: boolean): Promise<string> {
    const watch: StartWatch = {status: () => statuses, onEvent: () => () => undefined, ready: Promise.resolve(), stopping: () => false};
    const written: string[] = [];
    const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    const ci = process.env.CI;
    const noColor = process.env.NO_COLOR;
    Object.defineProperty(process.stdout, 'isTTY', {value: terminal, configurable: true});
    delete process.env.CI;
    process.env.NO_COLOR = '1';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await showStartProgress(watch, services);
    } finally {
      vi.restoreAllMocks();
      if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
      else delete (process.stdout as {isTTY?: boolean}).isTTY;
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
      if (noColor === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = noColor;
    }
    // The last frame of a redrawing view, without its cursor and erase sequences.
    // eslint-disable-next-line no-control-regex
    return written.join('').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  }

  it('on a terminal, one row per pod with its services nested, the failed one shown', async () => {
    const services = [own('payments', 'ingress', 'sidecar'), own('payments', 'app', 'app'), own('orders', 'egress', 'sidecar'), own('orders', 'app', 'app')];
    const statuses = services.map((s) => status(s.id, s.role, s.id === 'orders/app' ? {state: 'failed', lastError: 'exited with code 1'} : {}));
    const text = await progress(services, statuses, true);
    expect(text).toMatch(/payments ready \(\d+\.\ds\)/);
    expect(text).toContain('orders not ready');
    // Inside its pod's row a service is named by its name; the failure says which.
    expect(text).toMatch(/^ +\S+ app: exited with code 1/m);
    expect(text).not.toContain('orders/app');
  });

  it('a single pod on a terminal: one row per service, as before pods', async () => {
    const services = [service('proxy', 'sidecar'), service('app', 'app')];
    const text = await progress(services, services.map((s) => status(s.id, s.role)), true);
    expect(text).toMatch(/proxy ready \(\d+\.\ds\)/);
    expect(text).toMatch(/app ready \(\d+\.\ds\)/);
    expect(text).not.toContain('test ready');
  });

  it('plain lines name each service by its id, pods in start order', async () => {
    const own = (pod: string, name: string, role: Service['role']): Service => service(name, role, {pod, id: `${pod}/${name}`});
    const services = [own('payments', 'ingress', 'sidecar'), own('payments', 'app', 'app'), own('orders', 'app', 'app')];
    const statuses = services.map((s) => status(s.id, s.role));
    const watch: StartWatch = {status: () => statuses, onEvent: () => () => undefined, ready: Promise.resolve(), stopping: () => false};
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    await showStartProgress(watch, services);
    vi.restoreAllMocks();
    const text = written.join('');
    for (const id of ['payments/ingress', 'payments/app', 'orders/app']) expect(text).toMatch(new RegExp(`${id} ready \\(\\d+\\.\\ds\\)`));
    expect(text.indexOf('payments/app (app)')).toBeLessThan(text.indexOf('orders/app (app)'));
  });
});
