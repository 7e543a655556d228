// Shared helpers for bench scripts: medians, ratios, and timing a command.
import {spawnSync} from 'node:child_process';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Wall time of one run of a command, in milliseconds; fails loudly on a bad exit.
export function timeCommand(argv, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), {stdio: ['ignore', 'ignore', 'pipe'], ...options});
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const ok = options.expectStatus === undefined ? result.status === 0 : result.status === options.expectStatus;
  if (!ok) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}
