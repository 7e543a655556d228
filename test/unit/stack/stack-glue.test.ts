import {describe, expect, it} from 'vitest';
import {LogPrefixer, colorIndex} from '../../../src/output/log-prefixer.js';
import {psJson, psTable} from '../../../src/output/ps-view.js';
import {chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, realpathSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import {projectFiles} from '../../../src/host/project-files.js';
import {privateBases, removeSocket, socketPathToBind} from '../../../src/host/socket-path.js';
import path from 'node:path';
import {sinceOption} from '../../../src/commands/since-option.js';
import {stackEnv} from '../../../src/stack/stack-env.js';
import {culprit, failureError} from '../../../src/host/start-failure.js';
import {LineSplitter} from '../../../src/host/control/line-splitter.js';
import type {ServiceStatus} from '../../../src/supervisor/types.js';
import {Chalk} from 'chalk';
import {manifest, service} from '../../helpers/manifest-builder.js';

const status = (name: string, extra: Partial<ServiceStatus> = {}): ServiceStatus => ({
  name,
  role: 'sidecar',
  state: 'running',
  health: 'healthy',
  restarts: 0,
  pid: 1,
  containerId: null,
  exitCode: null,
  ports: [],
  ...extra,
});

describe('socket path', () => {
  it('is .sidecar/control.sock when short, else a fresh private 0700 directory (never a predictable path)', () => {
    expect(socketPathToBind(projectFiles('/p'))).toBe('/p/.sidecar/control.sock');
    const long = projectFiles('/x'.repeat(60));
    const first = socketPathToBind(long, {});
    const second = socketPathToBind(long, {});
    expect(first).not.toBe(second);
    for (const socket of [first, second]) {
      expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(100);
      const dir = lstatSync(path.dirname(socket));
      expect(dir.isDirectory()).toBe(true);
      expect(dir.mode & 0o777).toBe(0o700);
      expect(dir.uid).toBe(process.getuid!());
      removeSocket(socket, long);
      expect(existsSync(path.dirname(socket))).toBe(false);
    }
  });

  it('takes no temp dir others may rename entries in: another user\'s, or writable by others without the sticky bit', () => {
    const saved = process.env.TMPDIR;
    const open = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'open-tmp-')));
    try {
      process.env.TMPDIR = open;
      chmodSync(open, 0o777);
      expect(privateBases({})).not.toContain(open);
      expect(privateBases({})).toContain(realpathSync('/tmp'));
      chmodSync(open, 0o1777);
      expect(privateBases({})).toContain(open);
      chmodSync(open, 0o755);
      expect(privateBases({})).toContain(open);
      if (process.getuid?.() === 0) {
        chownSync(open, 4242, 4242);
        expect(privateBases({})).not.toContain(open);
      }
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(open, {recursive: true, force: true});
    }
  });

  it('removeSocket removes only a socket we own, never another file a record names', async () => {
    const long = projectFiles('/x'.repeat(60));
    const socket = socketPathToBind(long, {});
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const decoy = path.join(path.dirname(socket), 'not-a-socket');
    writeFileSync(decoy, 'keep me');
    removeSocket(decoy, long);
    expect(existsSync(decoy)).toBe(true);
    removeSocket(socket, long);
    expect(existsSync(socket)).toBe(false);
    // The directory still holds the decoy: it is not forced away.
    expect(existsSync(path.dirname(socket))).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    rmSync(path.dirname(socket), {recursive: true, force: true});
  });
});

describe('run env', () => {
  it('names the first published port of each service, upper-cased with - as _', () => {
    const m = manifest({
      name: 'orders',
      app: service('app', 'app', {ports: [{hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'tcp'}]}),
      sidecars: [service('log-shipper', 'sidecar'), service('auth-proxy', 'sidecar', {ports: [{hostIp: '0.0.0.0', hostPort: 9000, containerPort: 9000, protocol: 'tcp'}, {hostIp: '127.0.0.1', hostPort: 9001, containerPort: 9001, protocol: 'tcp'}]})],
    });
    expect(stackEnv(m, 'docker')).toEqual({SIDECAR_PROJECT: 'orders', SIDECAR_APP_HOST: '127.0.0.1', SIDECAR_APP_PORT: '18080', SIDECAR_AUTH_PROXY_HOST: '127.0.0.1', SIDECAR_AUTH_PROXY_PORT: '9000'});
    // The process runtime does not remap: the app answers on its own port, 8080.
    expect(stackEnv(m, 'process')).toMatchObject({SIDECAR_APP_PORT: '8080', SIDECAR_AUTH_PROXY_PORT: '9000'});
  });
});

describe('--since', () => {
  it('takes a duration back from now or an ISO time', () => {
    expect(sinceOption('10m', 1_000_000)).toBe(400_000);
    expect(sinceOption('2025-01-02T03:04:05Z', 0)).toBe(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(sinceOption(undefined, 0)).toBeUndefined();
    expect(() => sinceOption('yesterday', 0)).toThrow(/neither a duration/);
    // Issue 8 point 10: a bare number has no unit (Date.parse would take "5" for the year 2005).
    expect(() => sinceOption('5', 0)).toThrow(/--since 5 has no unit/);
    expect(() => sinceOption('2025', 0)).toThrow(/has no unit/);
    expect(() => sinceOption('5x', 0)).toThrow(/not a duration/);
  });
});

describe('start failure', () => {
  it('blames a failed service first, then one with an error, then the first not ready', () => {
    expect(culprit([status('a'), status('b', {state: 'failed'})])?.name).toBe('b');
    expect(culprit([status('a'), status('b', {state: 'starting', health: 'starting', lastError: 'ECONNREFUSED'})])?.name).toBe('b');
    expect(culprit([status('a'), status('b', {state: 'pending', health: 'none'})])?.name).toBe('b');
  });

  it('prints the error and the last log lines in one block, exit 5', () => {
    const error = failureError({service: 'db', message: 'not ready after 1000ms: connect ECONNREFUSED', lastLines: ['booting', 'oops']});
    expect(error.exitCode).toBe(5);
    expect(error.message).toContain('service "db" not ready after 1000ms');
    expect(error.message).toContain('    | booting\n    | oops');
  });
});

describe('output', () => {
  it('ps --json has exactly the DESIGN fields', () => {
    const json = psJson({project: 'p', runtime: 'process', supervisor: null, services: [status('a', {lastError: 'x', nextRestartAt: 5, identity: {kind: 'process', pid: 1, pgid: 1, startTime: '9'}})]}) as {services: object[]};
    expect(Object.keys(json.services[0]!)).toEqual(['name', 'pod', 'role', 'state', 'health', 'restarts', 'pid', 'containerId', 'exitCode', 'ports']);
  });

  // Issue 12.4 (DESIGN "Resources"): a memory kill adds `reason: "oom"` right after exitCode, and the table says so.
  it('ps --json carries reason oom beside exitCode 137 after a memory kill, and ps says it', () => {
    const ps = {project: 'p', runtime: 'process' as const, supervisor: null, services: [status('a', {state: 'exited', exitCode: 137, reason: 'oom'})]};
    const json = psJson(ps) as {services: Record<string, unknown>[]};
    expect(Object.keys(json.services[0]!)).toEqual(['name', 'pod', 'role', 'state', 'health', 'restarts', 'pid', 'containerId', 'exitCode', 'reason', 'ports']);
    expect(json.services[0]).toMatchObject({exitCode: 137, reason: 'oom'});
    expect(psTable(ps, new Chalk({level: 0}), 0)).toMatch(/exited \(137, oom\)/);
  });

  it('prefixes pad names to one width and colour a service the same way every time', () => {
    const prefixer = new LogPrefixer(['app', 'log-shipper'], new Chalk({level: 0}));
    expect(prefixer.format({service: 'app', stream: 'stdout', line: 'hi', time: 0})).toBe('app         | hi\n');
    expect(colorIndex('proxy')).toBe(colorIndex('proxy'));
  });

  it('line splitter never joins or cuts lines across chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    splitter.push('{"a":1}\n{"b"', (l) => lines.push(l));
    splitter.push(':2}\n\n', (l) => lines.push(l));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '']);
  });

  it('line splitter refuses a line over its cap, in linear time', () => {
    const splitter = new LineSplitter(1000);
    const lines: string[] = [];
    expect(splitter.push('x'.repeat(600), (l) => lines.push(l))).toBe(true);
    expect(splitter.push('x'.repeat(600), (l) => lines.push(l))).toBe(false);
    expect(new LineSplitter(1000).push('y'.repeat(1001) + '\n', (l) => lines.push(l))).toBe(false);
    const exact = new LineSplitter(1000);
    expect(exact.push('z'.repeat(500), (l) => lines.push(l)) && exact.push('z'.repeat(500) + '\nrest', (l) => lines.push(l))).toBe(true);
    expect(lines).toEqual(['z'.repeat(1000)]);
  });
});
