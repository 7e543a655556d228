import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseDownRequest, takeDownRequest} from '../../../src/host/down-request.js';

// What bin/down.sh leaves for the supervisor before its SIGTERM (issue 13.1).
const self = {pid: 4242, startTime: '81234'};
const dir = () => mkdtempSync(path.join(os.tmpdir(), 'sidecar-down-request-'));

describe('parseDownRequest', () => {
  it('reads a request naming this process, with or without --volumes', () => {
    expect(parseDownRequest('sidecar-down 4242 81234 0\n', self)).toEqual({volumes: false});
    expect(parseDownRequest('sidecar-down 4242 81234 1\n', self)).toEqual({volumes: true});
  });

  it('refuses one for another process, or of another start of this pid', () => {
    expect(parseDownRequest('sidecar-down 4243 81234 0\n', self)).toBeUndefined();
    expect(parseDownRequest('sidecar-down 4242 81235 0\n', self)).toBeUndefined();
    expect(parseDownRequest('sidecar-down 4242 81234 0\n', {pid: 4242, startTime: undefined})).toBeUndefined();
  });

  it('refuses anything but the one exact line', () => {
    for (const text of ['sidecar-down 4242 81234 0', 'sidecar-down 4242 81234 2\n', 'sidecar-down 4242 81234 0\nsidecar-down 4242 81234 1\n', ' sidecar-down 4242 81234 0\n', 'down 4242 81234 0\n', '']) {
      expect(parseDownRequest(text, self), JSON.stringify(text)).toBeUndefined();
    }
  });
});

describe('takeDownRequest', () => {
  it('reads the request once: the file is gone after it', () => {
    const file = path.join(dir(), 'down.request');
    writeFileSync(file, 'sidecar-down 4242 81234 1\n');
    expect(takeDownRequest(file, self)).toEqual({volumes: true});
    expect(existsSync(file)).toBe(false);
    expect(takeDownRequest(file, self)).toBeUndefined();
  });

  it('removes a request for another process without acting on it', () => {
    const file = path.join(dir(), 'down.request');
    writeFileSync(file, 'sidecar-down 1 81234 1\n');
    expect(takeDownRequest(file, self)).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it('ignores a request older than half a minute (a `down` interrupted before its SIGTERM)', () => {
    const file = path.join(dir(), 'down.request');
    writeFileSync(file, 'sidecar-down 4242 81234 0\n');
    const now = Date.now();
    utimesSync(file, new Date(now - 60_000), new Date(now - 60_000));
    expect(takeDownRequest(file, self, now)).toBeUndefined();
    writeFileSync(file, 'sidecar-down 4242 81234 0\n');
    expect(takeDownRequest(file, self, Date.now() + 10_000)).toEqual({volumes: false});
  });

  it('does not follow a symlink in its place, nor remove it', () => {
    const at = dir();
    const target = path.join(at, 'elsewhere');
    writeFileSync(target, 'sidecar-down 4242 81234 1\n');
    const file = path.join(at, 'down.request');
    symlinkSync(target, file);
    expect(takeDownRequest(file, self)).toBeUndefined();
    expect(readFileSync(target, 'utf8')).toBe('sidecar-down 4242 81234 1\n');
    expect(existsSync(file)).toBe(true);
  });

  it('does not block on a FIFO in its place (read in a signal handler), nor read a big file', () => {
    const at = dir();
    const fifo = path.join(at, 'down.request');
    execFileSync('mkfifo', [fifo]);
    expect(takeDownRequest(fifo, self)).toBeUndefined();
    expect(existsSync(fifo)).toBe(false);
    writeFileSync(fifo, `sidecar-down 4242 81234 0\n${' '.repeat(200)}`);
    expect(takeDownRequest(fifo, self)).toBeUndefined();
  });
});
