import {SidecarError} from '../errors/index.js';
import {durationOption} from '../commands/duration-option.js';
import {safeJson} from '../output/safe-json.js';

export interface UpFlags {
  file: string;
  runtime: string;
  detach: boolean;
  wait: boolean;
  timeout?: string | undefined;
  build: boolean;
  watch: boolean;
  json: boolean;
}

// What `sidecar up` does once its words are parsed, shared by the oclif command
// and the lean path of bin/run.js (issue 13.1: `up -d`/`up --wait` without
// loading oclif), so both behave and fail alike. `exit` ends the command with a code.
export async function upCommand(flags: UpFlags, words: string[], exit: (code: number) => never): Promise<void> {
  if (flags.json && !flags.detach && !flags.wait) {
    throw new SidecarError('SIDECAR_USAGE', '--json describes a stack that runs on after `up` returns; in the foreground `up` streams logs', {suggestion: 'use `sidecar up --wait --json` (or `-d --json`)'});
  }
  const timeoutMs = durationOption('timeout', flags.timeout);
  const {prepareUp} = await import('./prepare-up.js');
  const plan = await prepareUp(flags.file, flags.runtime as 'auto', words, {build: flags.build});
  // Issue 8.7: `--runtime auto` says which runtime it chose and why.
  if (plan.runtimeReason) process.stderr.write(`runtime: ${plan.runtime} (${plan.runtimeReason})\n`);
  // Issue 12.2: what a Kubernetes file does not carry over, said once before the start.
  if (plan.losses.length > 0) process.stderr.write((await import('../manifest/loss.js')).inputLossBlock(plan.losses));
  if (plan.resourcesWarning) process.stderr.write(`warning: ${plan.resourcesWarning}\n`);
  if (flags.watch) {
    const {assertWatchable} = await import('../watch/watch-usage.js');
    try {
      assertWatchable(plan.manifest, plan.runtime);
    } catch (error) {
      plan.lock?.release();
      throw error;
    }
  }
  if (plan.reaped > 0) process.stderr.write(`stopped ${plan.reaped} leftover process(es) of a supervisor that died\n`);
  if (plan.live) {
    // Already running: recreate only what changed, as `docker compose up` does.
    const {updateStack} = await import('./update-stack.js');
    const result = await updateStack(plan.live.socket, plan.manifest, plan.only, flags.watch);
    const {updateSummary} = await import('../output/update-summary.js');
    if (flags.json) {
      const {readyReport} = await import('./ready-report.js');
      printJson({...(await readyReport(plan.live.socket, plan.live.pid, plan.manifest, plan.runtime, plan.live.phase === 'ready')), update: result});
      return;
    }
    process.stdout.write(updateSummary(plan.manifest.name, plan.live.pid, result) + '\n');
    return;
  }
  if (flags.detach || flags.wait) {
    const {upDetached, InterruptedError} = await import('./up-detached.js');
    const hello = await upDetached(plan, {wait: flags.wait, ...(flags.watch ? {watch: true} : {}), ...(timeoutMs !== undefined ? {timeoutMs} : {})}).catch((error: unknown) => {
      if (error instanceof InterruptedError) exit(error.exitCode);
      throw error;
    });
    if (flags.json) {
      const [{readyReport}, {findSupervisor}] = await Promise.all([import('./ready-report.js'), import('../host/find-supervisor.js')]);
      const live = await findSupervisor(plan.files);
      if (!live) throw new SidecarError('SIDECAR_NOT_RUNNING', `${plan.manifest.name}'s supervisor (pid ${hello.pid}) stopped answering right after start`, {suggestion: `see ${plan.files.supervisorLog}`});
      printJson(await readyReport(live.socket, hello.pid, plan.manifest, plan.runtime, flags.wait));
      return;
    }
    process.stdout.write(`${plan.manifest.name} ${flags.wait ? 'is ready' : 'is starting'} (${plan.runtime} runtime, supervisor pid ${hello.pid}); \`sidecar ps\` to see it, \`sidecar down\` to stop it\n`);
    return;
  }
  const {upForeground} = await import('./up-foreground.js');
  const code = await upForeground(plan, {...(timeoutMs !== undefined ? {timeoutMs} : {}), ...(flags.watch ? {watch: true} : {})});
  exit(code);
}

function printJson(value: unknown): void {
  process.stdout.write(safeJson(value, 2) + '\n');
}
