import {allServices} from '../manifest/types.js';
import {fancyProgress, showStartProgress} from '../output/start-progress.js';
import {LogPrinter} from './log-printer.js';
import {lifecycleNote} from '../output/lifecycle-note.js';
import type {UpPlan} from './prepare-up.js';
import {createRuntime} from '../runtime/resolve-runtime.js';
import {StackHost} from '../host/stack-host.js';
import {failureError} from '../host/start-failure.js';

export interface ForegroundOptions {
  timeoutMs?: number;
  forceBuild?: boolean;
  watch?: boolean;
}

const SIGNAL_EXIT: Record<string, number> = {SIGINT: 130, SIGTERM: 143};

// Foreground `up`: the CLI process is the supervisor. Progress while starting,
// then prefixed logs until the app completes (its exit code) or Ctrl-C / SIGTERM
// (stop in order, 130 / 143; a second Ctrl-C kills at once).
export async function upForeground(plan: UpPlan, options: ForegroundOptions): Promise<number> {
  const runtime = await createRuntime(plan.runtime, {forceBuild: options.forceBuild ?? plan.forceBuild});
  const host = new StackHost({
    manifest: plan.manifest,
    runtime,
    files: plan.files,
    detached: false,
    ...(plan.only.length > 0 ? {only: plan.only} : {}),
    ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {}),
    ...(options.watch ? {watch: true} : {}),
  });
  const services = allServices(plan.manifest);
  const printer = new LogPrinter(services.map((s) => s.id));
  host.onLog((line) => printer.push(line));
  // Why a service stopped, said among its lines (`proxy | exited with code 1; restarting in 250ms (restart 1)`).
  host.onEvent((event) => {
    const note = lifecycleNote(event);
    if (note !== undefined) printer.push({service: event.service, stream: 'stdout', line: note, time: event.time});
  });
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) {
      process.stderr.write('\nkilling everything now\n');
      void host.shutdown({immediate: true, requestedBy: signal});
      return;
    }
    interrupted = signal;
    process.stderr.write(`\nstopping ${plan.manifest.name} (${signal === 'SIGINT' ? 'press Ctrl-C again' : `send ${signal} again`} to kill at once)\n`);
    void host.shutdown({requestedBy: signal});
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await host.open();
    // Plain output: logs as they come, start-up included (a crash loop is seen while
    // waiting). The redrawing view shows each service's last line in its row instead.
    if (!fancyProgress()) printer.release();
    const starting = host.start();
    await showStartProgress({status: () => host.status(), onEvent: (l) => host.onEvent(l), onLog: (l) => host.onLog(l), ready: host.ready, stopping: () => host.stopRequestedBy !== undefined}, services);
    await starting;
    printer.release();
    const failure = host.failure;
    // After "stopping NAME", the end of the stop is said too (found by a new user's
    // trial: Ctrl-C printed "stopping" and then nothing), as Compose says "done".
    const stoppedOnSignal = (signal: NodeJS.Signals): number => {
      process.stderr.write(`stopped ${plan.manifest.name}\n`);
      return SIGNAL_EXIT[signal] ?? 1;
    };
    if (failure) {
      await host.shutdown();
      if (interrupted) return stoppedOnSignal(interrupted);
      // `sidecar down` from another terminal: a normal stop, said as one.
      if (failure.stopped) {
        process.stderr.write(`${plan.manifest.name} ${failure.message}\n`);
        return 0;
      }
      throw failureError(failure);
    }
    const completion = await Promise.race([host.supervisor.completion, new Promise<undefined>((resolve) => host.onDone(() => resolve(undefined)))]);
    await host.shutdown();
    printer.flush();
    if (interrupted) return stoppedOnSignal(interrupted);
    // Stopped from elsewhere (`sidecar down` in another terminal): said, not a silent end
    // (found by a new user's trial), as a stop before ready is said above.
    if (completion?.reason !== 'completed' && host.stopRequestedBy !== undefined) process.stderr.write(`${plan.manifest.name} was stopped by ${host.stopRequestedBy}\n`);
    return completion?.exitCode ?? 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
