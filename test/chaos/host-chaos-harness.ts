import {readFileSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {root, type Project} from '../integration/cli/cli-harness.js';

const bin = path.join(root, 'bin/run.js');

export interface Timed {
  exitCode: number | undefined;
  all: string;
  ms: number;
  timedOut: boolean;
}

// The CLI with a hard ceiling: an attack that hangs a command must fail the test, not the suite.
// bin/run.js run as users run it: `down` goes through its sh line first (bin/down.sh).
export async function timedCli(p: Project, args: string[], ceilingMs = 60_000): Promise<Timed> {
  const started = Date.now();
  const result = await execa(bin, args, {reject: false, cwd: p.dir, env: p.env, all: true, timeout: ceilingMs, killSignal: 'SIGKILL'});
  return {exitCode: result.exitCode, all: String(result.all ?? ''), ms: Date.now() - started, timedOut: result.timedOut};
}

export function supervisorPid(p: Project): number {
  return (JSON.parse(readFileSync(path.join(p.dir, '.sidecar/supervisor.json'), 'utf8')) as {pid: number}).pid;
}

// Peak resident memory of a process in MB (VmHWM from /proc).
export function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Math.round(Number(line?.replace(/\D+/g, '') ?? 0) / 1024);
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

export function isStopped(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T';
}
