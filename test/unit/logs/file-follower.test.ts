import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {FileFollower} from '../../../src/logs/file-follower.js';
import {LogStore} from '../../../src/logs/log-store.js';

function store(keep = 3): LogStore {
  return new LogStore(mkdtempSync(path.join(os.tmpdir(), 'follower-')), {maxBytes: 300, keep});
}

function write(logs: LogStore, from: number, to: number): void {
  for (let i = from; i < to; i++) logs.write({service: 'app', stream: 'stdout', line: `line ${i}`, time: 1_700_000_000_000});
  logs.flush();
}

describe('FileFollower: logs -f read from the files, across rotations', () => {
  it('starts after what was there and reads every later line once, in order, across several rotations', () => {
    const logs = store();
    write(logs, 0, 5);
    const follower = new FileFollower(logs, ['app']);
    write(logs, 5, 12);
    const first = follower.read(64).lines.map((l) => l.line);
    write(logs, 12, 20);
    const seen = [...first];
    for (let i = 0; i < 50; i++) seen.push(...follower.read(64).lines.map((l) => l.line));
    expect(seen).toEqual(Array.from({length: 15}, (_v, i) => `line ${i + 5}`));
    expect(follower.read().lines).toEqual([]);
  });

  it('says how much rotated away when the reader falls further behind than the kept files', () => {
    const logs = store(2);
    const follower = new FileFollower(logs, ['app']);
    write(logs, 0, 60);
    const {lines, lostBytes} = follower.read();
    expect(lostBytes).toBeGreaterThan(0);
    expect(lines).toEqual([]);
    const rest: string[] = [];
    for (let i = 0; i < 20; i++) rest.push(...follower.read().lines.map((l) => l.line));
    expect(rest.at(-1)).toBe('line 59');
    const numbers = rest.map((l) => Number(l.split(' ')[1]));
    expect(numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1)).toBe(true);
  });
});
