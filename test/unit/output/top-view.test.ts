import {Chalk} from 'chalk';
import {describe, expect, it} from 'vitest';
import type {TopResult} from '../../../src/host/control/protocol.js';
import {formatBytes, topTable} from '../../../src/output/top-view.js';
import {parseUsage} from '../../../src/runtime/process/usage.js';

const status = (name: string, pid: number) => ({name, pod: 'p', role: 'app' as const, state: 'running' as const, health: 'none' as const, restarts: 0, pid, containerId: null, exitCode: null, ports: []});
const sample = (at: number, cpu: number[]): TopResult => ({project: 'p', runtime: 'process', supervisor: {pid: 1}, services: [status('app', 10), status('idle', 11)], usage: cpu.map((cpuSeconds) => ({cpuSeconds, memoryBytes: 50 * 1024 * 1024})), at});

describe('ps --watch view (issue 14.6)', () => {
  it('CPU is the share of a core between two samples; the first sample has none yet', () => {
    const chalk = new Chalk({level: 0});
    expect(topTable(sample(1000, [1, 0]), undefined, chalk)).toMatch(/^app\s+app\s+running\s+none\s+0\s+…\s+50\.0MiB\s+10/m);
    const table = topTable(sample(3000, [2.5, 0.02]), sample(1000, [1, 0]), chalk);
    expect(table).toMatch(/^app\s+app\s+running\s+none\s+0\s+75\.0%\s+50\.0MiB/m);
    expect(table).toMatch(/^idle\s+app\s+running\s+none\s+0\s+1\.0%\s+50\.0MiB/m);
  });

  it('memory in binary units', () => {
    expect([512, 2048, 5 * 1024 * 1024 + 1, 150 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual(['512B', '2.0KiB', '5.0MiB', '150MiB', '3.0GiB']);
  });

  it('reads utime+stime and VmRSS from /proc, a command name with spaces and parentheses included', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 12345 1000 2000';
    expect(parseUsage(stat, 'Name:\tnode\nVmRSS:\t   20480 kB\n', 100)).toEqual({cpuSeconds: 3, memoryBytes: 20480 * 1024});
  });
});
