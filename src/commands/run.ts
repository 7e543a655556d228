import {Flags} from '@oclif/core';
import {SidecarError} from '../errors/index.js';
import {BaseCommand, manifestFlags} from './base-command.js';
import {runtimeFlag} from './up.js';

export default class Run extends BaseCommand {
  static override summary = "Bring the stack up, run CMD on the host with the stack's endpoints in its env, bring it down";
  static override description = 'CMD gets SIDECAR_PROJECT and, for every service with a published port, SIDECAR_<SERVICE>_HOST and SIDECAR_<SERVICE>_PORT (name upper-cased, - as _). Exits with CMD\'s code, or 5 if the stack never became ready.';
  static override examples = ['<%= config.bin %> run -- npm test', '<%= config.bin %> run --runtime process --timeout 60s -- node smoke.js'];
  // CMD and its arguments follow `--`, so that CMD's own flags are not taken for ours.
  static override usage = '<%= command.id %> [FLAGS] -- CMD [ARGS...]';
  static override strict = false;
  static override flags = {
    ...manifestFlags,
    ...runtimeFlag,
    timeout: Flags.string({description: 'give up if the stack is not ready within this duration (e.g. 60s)'}),
    build: Flags.boolean({description: 'rebuild images of services with `build` even when their context is unchanged (docker)', default: false}),
  };

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Run);
    const command = this.wordsAfterDashDash() ?? (argv as string[]);
    if (command.length === 0) throw new SidecarError('SIDECAR_USAGE', 'run needs a command', {suggestion: 'sidecar run -- CMD [ARGS...]'});
    const {durationOption} = await import('./duration-option.js');
    const timeoutMs = durationOption('timeout', flags.timeout);
    const {prepareUp} = await import('../stack/prepare-up.js');
    const plan = await prepareUp(flags.file, flags.runtime as 'auto', [], {build: flags.build, role: 'run'});
    // Issue 8.7: `--runtime auto` says which runtime it chose and why.
    if (plan.runtimeReason) process.stderr.write(`runtime: ${plan.runtime} (${plan.runtimeReason})\n`);
    // Issue 12.2: what a Kubernetes file does not carry over, said once before the start.
    if (plan.losses.length > 0) process.stderr.write((await import('../manifest/loss.js')).inputLossBlock(plan.losses));
    if (plan.resourcesWarning) process.stderr.write(`warning: ${plan.resourcesWarning}\n`);
    const {runWithStack} = await import('../stack/run-with-stack.js');
    this.exit(await runWithStack(plan, command, timeoutMs !== undefined ? {timeoutMs} : {}));
  }
}
