import {Args, Flags} from '@oclif/core';
import {SidecarError} from '../errors/index.js';
import {BaseCommand, manifestFlags} from './base-command.js';

export const runtimeFlag = {
  runtime: Flags.string({description: 'where services run', options: ['auto', 'docker', 'process'], default: 'auto', env: 'SIDECAR_RUNTIME'}),
};

export default class Up extends BaseCommand {
  static override summary = 'Start the stack: foreground with prefixed logs, or detached with -d / --wait';
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up -d',
    '<%= config.bin %> up --wait --timeout 60s',
    '<%= config.bin %> up --runtime process proxy',
    '<%= config.bin %> up -d payments',
    '<%= config.bin %> up --wait --json > stack.json',
    '<%= config.bin %> up --watch',
  ];
  static override strict = false;
  static override args = {service: Args.string({description: 'services to start (with what they need): SERVICE, POD/SERVICE, or POD (with the pods it is after); default: all'})};
  static override flags = {
    ...manifestFlags,
    ...runtimeFlag,
    detach: Flags.boolean({char: 'd', description: 'leave a detached supervisor running the stack and return', default: false}),
    wait: Flags.boolean({description: 'return once every service is ready (implies -d); exit 5 if one is not', default: false}),
    timeout: Flags.string({description: 'give up if the stack is not ready within this duration (e.g. 60s)'}),
    build: Flags.boolean({description: 'rebuild images of services with `build` even when their context is unchanged (docker)', default: false}),
    watch: Flags.boolean({description: 'follow the manifest\'s watch: rules: restart or sync a service when its files change', default: false}),
    json: Flags.boolean({description: 'with --wait or -d: print the stack, its services and their endpoints as JSON on stdout', default: false}),
  };

  async run(): Promise<void> {
    const {flags, argv} = await this.parse(Up);
    this.jsonMode = flags.json;
    if (flags.json && !flags.detach && !flags.wait) {
      throw new SidecarError('SIDECAR_USAGE', '--json describes a stack that runs on after `up` returns; in the foreground `up` streams logs', {suggestion: 'use `sidecar up --wait --json` (or `-d --json`)'});
    }
    const {durationOption} = await import('./duration-option.js');
    const timeoutMs = durationOption('timeout', flags.timeout);
    const {prepareUp} = await import('../stack/prepare-up.js');
    const plan = await prepareUp(flags.file, flags.runtime as 'auto', argv as string[], {build: flags.build});
    // Issue 8.7: `--runtime auto` says which runtime it chose and why.
    if (plan.runtimeReason) process.stderr.write(`runtime: ${plan.runtime} (${plan.runtimeReason})\n`);
    // Issue 12.2: what a Kubernetes file does not carry over, said once before the start.
    if (plan.losses.length > 0) process.stderr.write((await import('../manifest/loss.js')).inputLossBlock(plan.losses));
    if (plan.resourcesWarning) process.stderr.write(`warning: ${plan.resourcesWarning}\n`);
    if (flags.watch) {
      const {assertWatchable} = await import('../watch/watch-usage.js');
      try {
        assertWatchable(plan.manifest, plan.runtime, plan.live !== undefined);
      } catch (error) {
        plan.lock?.release();
        throw error;
      }
    }
    if (plan.reaped > 0) process.stderr.write(`stopped ${plan.reaped} leftover process(es) of a supervisor that died\n`);
    if (plan.live) {
      // Already running: recreate only what changed, as `docker compose up` does.
      const {updateStack} = await import('../stack/update-stack.js');
      const result = await updateStack(plan.live.socket, plan.manifest, plan.only);
      const {updateSummary} = await import('../output/update-summary.js');
      if (flags.json) {
        const {readyReport} = await import('../stack/ready-report.js');
        this.printJson({...(await readyReport(plan.live.socket, plan.live.pid, plan.manifest, plan.runtime, plan.live.phase === 'ready')), update: result});
        return;
      }
      process.stdout.write(updateSummary(plan.manifest.name, plan.live.pid, result) + '\n');
      return;
    }
    if (flags.detach || flags.wait) {
      const {upDetached, InterruptedError} = await import('../stack/up-detached.js');
      const hello = await upDetached(plan, {wait: flags.wait, ...(flags.watch ? {watch: true} : {}), ...(timeoutMs !== undefined ? {timeoutMs} : {})}).catch((error: unknown) => {
        if (error instanceof InterruptedError) this.exit(error.exitCode);
        throw error;
      });
      if (flags.json) {
        const [{readyReport}, {findSupervisor}] = await Promise.all([import('../stack/ready-report.js'), import('../host/find-supervisor.js')]);
        const live = await findSupervisor(plan.files);
        if (!live) throw new SidecarError('SIDECAR_NOT_RUNNING', `${plan.manifest.name}'s supervisor (pid ${hello.pid}) stopped answering right after start`, {suggestion: `see ${plan.files.supervisorLog}`});
        this.printJson(await readyReport(live.socket, hello.pid, plan.manifest, plan.runtime, flags.wait));
        return;
      }
      process.stdout.write(`${plan.manifest.name} ${flags.wait ? 'is ready' : 'is starting'} (${plan.runtime} runtime, supervisor pid ${hello.pid}); \`sidecar ps\` to see it, \`sidecar down\` to stop it\n`);
      return;
    }
    const {upForeground} = await import('../stack/up-foreground.js');
    const code = await upForeground(plan, {...(timeoutMs !== undefined ? {timeoutMs} : {}), ...(flags.watch ? {watch: true} : {})});
    this.exit(code);
  }
}
