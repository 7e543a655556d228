import {existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {readLogs, servicesWithLogs} from '../../../src/logs/log-reader.js';
import {LogStore} from '../../../src/logs/log-store.js';
import {assertStateTree} from '../../../src/runtime/safe-state-dir.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'sidecar-pod-logs-'));

// Issue 10: a service of the pods form is `POD/SERVICE`; its log is logs/POD/SERVICE.log.
describe('log files of the pods form', () => {
  it('writes `POD/SERVICE` to logs/POD/SERVICE.log and reads it back by id, next to single-form files', () => {
    const dir = tmp();
    const store = new LogStore(dir);
    store.write({service: 'orders/app', stream: 'stdout', line: 'order 1', time: 1000});
    store.write({service: 'payments/app', stream: 'stderr', line: 'paid', time: 1001});
    store.write({service: 'web', stream: 'stdout', line: 'single', time: 1002});
    store.close();
    expect(readFileSync(path.join(dir, 'orders', 'app.log'), 'utf8')).toMatch(/ o order 1\n$/);
    expect(existsSync(path.join(dir, 'web.log'))).toBe(true);
    expect(servicesWithLogs(dir)).toEqual(['orders/app', 'payments/app', 'web']);
    expect(readLogs(dir, {services: []}).map((l) => `${l.service} ${l.line}`)).toEqual(['orders/app order 1', 'payments/app paid', 'web single']);
    expect(readLogs(dir, {services: ['payments/app']})).toEqual([{service: 'payments/app', stream: 'stderr', line: 'paid', time: 1001}]);
  });

  it('refuses to write through a pod log directory that is a symlink (issue 9.7)', () => {
    const dir = tmp();
    const elsewhere = tmp();
    symlinkSync(elsewhere, path.join(dir, 'orders'));
    const losses: string[] = [];
    const watched = new LogStore(dir, undefined, {lossBegan: (service, reason) => losses.push(`${service}: ${reason}`), lossEnded: () => undefined});
    watched.write({service: 'orders/app', stream: 'stdout', line: 'x', time: 1});
    watched.close();
    expect(losses).toEqual([expect.stringMatching(/^orders\/app: .*symlink/)]);
    expect(existsSync(path.join(elsewhere, 'app.log'))).toBe(false);
  });

  it('refuses a project whose pod log file is a symlink before anything is written', () => {
    const project = tmp();
    mkdirSync(path.join(project, '.sidecar', 'logs', 'orders'), {recursive: true});
    symlinkSync('/etc/passwd', path.join(project, '.sidecar', 'logs', 'orders', 'app.log'));
    expect(() => assertStateTree(project)).toThrow(expect.objectContaining({code: 'SIDECAR_UNSAFE_PATH'}));
  });
});
