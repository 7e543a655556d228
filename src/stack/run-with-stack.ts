import {constants} from 'node:os';
import {execa} from 'execa';
import type {UpPlan} from './prepare-up.js';
import {createRuntime} from './resolve-runtime.js';
import {StackHost} from './stack-host.js';
import {stackEnv} from './stack-env.js';
import {failureError} from './start-failure.js';

// `run -- CMD`: the stack comes up in this process (like `up --wait`), CMD runs on
// the host with the stack's endpoints in its env, the stack goes down, and the
// exit code is CMD's (exit 5 if the stack never became ready).
export async function runWithStack(plan: UpPlan, command: string[], options: {timeoutMs?: number}): Promise<number> {
  const runtime = await createRuntime(plan.runtime, {forceBuild: plan.forceBuild});
  const host = new StackHost({manifest: plan.manifest, runtime, files: plan.files, detached: false, ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {})});
  let child: ReturnType<typeof execa> | undefined;
  let interrupted = false;
  // The terminal's Ctrl-C reaches CMD itself; we stop the stack once CMD is gone.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (child) {
      if (signal !== 'SIGINT') child.kill(signal);
      return;
    }
    interrupted = true;
    void host.shutdown({immediate: interrupted && host.phase === 'stopping'});
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await host.open();
    const started = Date.now();
    await host.start();
    if (host.phase === 'failed') {
      await host.shutdown();
      if (interrupted) return 130;
      throw failureError(host.failure!);
    }
    process.stderr.write(`sidecar: ${plan.manifest.name} ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${runtime.kind}); running ${command.join(' ')}\n`);
    const [file, ...args] = command;
    child = execa(file!, args, {stdio: 'inherit', reject: false, env: {...process.env, ...stackEnv(plan.manifest, runtime.kind)}});
    const result = await child;
    child = undefined;
    await host.shutdown();
    if (result.exitCode !== undefined) return result.exitCode;
    if (result.signal) return 128 + (constants.signals[result.signal] ?? 0);
    // CMD could not start at all (not found): say so like a shell would.
    process.stderr.write(`sidecar: ${result.shortMessage}\n`);
    return 127;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (host.phase !== 'done') await host.shutdown();
  }
}
