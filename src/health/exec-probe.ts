import type {ExecCheck} from '../manifest/types.js';
import type {ExecResult} from '../runtime/types.js';
import {ProbeError, type Probe} from './probe.js';

type Run = (command: string[], timeoutMs: number) => Promise<ExecResult>;

// Passes when the command exits 0 where the service runs (Kubernetes exec probe).
export class ExecProbe implements Probe {
  readonly description: string;

  constructor(private readonly check_: ExecCheck, private readonly run: Run, private readonly timeoutMs: number) {
    this.description = `exec ${check_.command.join(' ')}`;
  }

  async check(): Promise<void> {
    const result = await this.run(this.check_.command, this.timeoutMs);
    if (result.exitCode !== 0) {
      const output = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
      throw new ProbeError(`${this.description}: exit ${result.exitCode}${output ? `: ${output}` : ''}`);
    }
  }
}
