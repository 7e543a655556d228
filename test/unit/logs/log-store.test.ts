import {mkdtempSync, readdirSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {formatLogLine, parseLogLine} from '../../../src/logs/log-format.js';
import {mergeByTime, readLogs} from '../../../src/logs/log-reader.js';
import {LogStore} from '../../../src/logs/log-store.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'sidecar-logs-'));

describe('log format', () => {
  it('round-trips time, stream and text, including text with spaces and pipes', () => {
    const line = {service: 'proxy', stream: 'stderr' as const, line: 'GET / | 200  ok', time: Date.UTC(2025, 0, 2, 3, 4, 5, 678)};
    const text = formatLogLine(line);
    expect(text).toBe('2025-01-02T03:04:05.678Z e GET / | 200  ok\n');
    expect(parseLogLine('proxy', text.slice(0, -1))).toEqual(line);
  });

  it('keeps a line that is not in the format as plain stdout text', () => {
    expect(parseLogLine('x', 'hand written')).toEqual({service: 'x', stream: 'stdout', time: 0, line: 'hand written'});
  });
});

describe('LogStore', () => {
  it('writes every line once, in order, and rotates by size keeping 3 files', () => {
    const dir = tmp();
    const store = new LogStore(dir, {maxBytes: 4096, keep: 3});
    for (let i = 0; i < 500; i++) store.write({service: 'a', stream: 'stdout', line: `line ${i}`, time: 1000 + i});
    store.close();
    expect(readdirSync(dir).sort()).toEqual(['a.log', 'a.log.1', 'a.log.2']);
    const lines = readLogs(dir, {services: ['a']}).map((l) => l.line);
    // The oldest lines fell off with the rotation; what is kept is contiguous and ordered.
    const first = Number(lines[0]!.split(' ')[1]);
    expect(lines).toEqual(Array.from({length: 500 - first}, (_v, i) => `line ${first + i}`));
    for (const file of readdirSync(dir)) expect(readFileSync(path.join(dir, file), 'utf8').length).toBeLessThanOrEqual(4096);
  });

  it('remembers the last 20 lines per service', () => {
    const store = new LogStore(tmp());
    for (let i = 0; i < 30; i++) store.write({service: 'b', stream: 'stdout', line: String(i), time: i});
    expect(store.recentLines('b')).toEqual(Array.from({length: 20}, (_v, i) => String(i + 10)));
    store.close();
  });

  it('tail and since select lines per service; services merge by time', () => {
    const dir = tmp();
    const store = new LogStore(dir);
    for (let i = 0; i < 10; i++) {
      store.write({service: 'a', stream: 'stdout', line: `a${i}`, time: 100 + i * 2});
      store.write({service: 'b', stream: 'stdout', line: `b${i}`, time: 101 + i * 2});
    }
    store.close();
    expect(readLogs(dir, {services: ['a'], tail: 2}).map((l) => l.line)).toEqual(['a8', 'a9']);
    expect(readLogs(dir, {services: [], since: 116}).map((l) => l.line)).toEqual(['a8', 'b8', 'a9', 'b9']);
    expect(readLogs(dir, {services: [], tail: 1}).map((l) => l.line)).toEqual(['a9', 'b9']);
  });

  it('merge keeps the order of lines with the same time', () => {
    const l = (service: string, line: string, time: number) => ({service, stream: 'stdout' as const, line, time});
    expect(mergeByTime([[l('a', '1', 5), l('a', '2', 5)], [l('b', '3', 4)]]).map((x) => x.line)).toEqual(['3', '1', '2']);
  });
});
