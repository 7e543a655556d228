import type {ChalkInstance} from 'chalk';
import type {TopResult} from '../host/control/protocol.js';
import {psTable} from './ps-view.js';

// `ps --watch`: the ps table with CPU (share of one core since the previous
// sample, as `docker stats` and `top` show it) and resident memory per service.
export function topTable(current: TopResult, previous: TopResult | undefined, chalk: ChalkInstance): string {
  const cells = (index: number): string[] => {
    const usage = current.usage[index];
    if (!usage) return ['-', '-'];
    const before = previous?.services.findIndex((s) => s.name === current.services[index]!.name);
    const earlier = before === undefined || before < 0 ? undefined : previous!.usage[before];
    const seconds = previous ? (current.at - previous.at) / 1000 : 0;
    const cpu = earlier && seconds > 0 ? `${Math.max(0, ((usage.cpuSeconds - earlier.cpuSeconds) / seconds) * 100).toFixed(1)}%` : '…';
    return [cpu, formatBytes(usage.memoryBytes)];
  };
  return psTable(current, chalk, current.at, {header: ['CPU', 'MEM'], cells});
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)}${units[unit]}`;
}
