import {SidecarError} from '../errors/index.js';
import type {UpPlan} from './prepare-up.js';
import {createRuntime} from '../runtime/resolve-runtime.js';
import {StackHost} from '../host/stack-host.js';
import {endpointEnv, stackEnv} from './stack-env.js';
import type {PsResult} from '../host/control/protocol.js';
import {failureError} from '../host/start-failure.js';
import {commandExit, startCommand, type CommandRun} from './run-command.js';
import {callControl} from '../host/control/control-client.js';
import {supervisorPeer} from '../host/find-supervisor.js';

// `run -- CMD`: the stack comes up in this process (like `up --wait`), CMD runs on
// the host with the stack's endpoints in its env, the stack goes down, and the
// exit code is CMD's (exit 5 if the stack never became ready). With a stack of
// the same manifest already up and ready (`up -d`, `up` in another terminal),
// CMD runs against it and it is left running (issue 8.2).
export async function runWithStack(plan: UpPlan, command: string[], options: {timeoutMs?: number}): Promise<number> {
  if (plan.live) return runOnLiveStack(plan, command);
  const runtime = await createRuntime(plan.runtime, {forceBuild: plan.forceBuild});
  const host = new StackHost({manifest: plan.manifest, runtime, files: plan.files, detached: false, transient: true, ...(options.timeoutMs !== undefined ? {timeoutMs: options.timeoutMs} : {})});
  let child: CommandRun | undefined;
  let interrupted: NodeJS.Signals | undefined;
  // While CMD runs, a signal is CMD's (run-command.ts); we stop the stack once CMD is gone.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (child) {
      child.forward(signal);
      return;
    }
    const again = interrupted !== undefined;
    interrupted ??= signal;
    void host.shutdown({immediate: again && host.phase === 'stopping', requestedBy: signal});
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await host.open();
    const started = Date.now();
    await host.start();
    if (host.failure) {
      await host.shutdown();
      if (interrupted) return interrupted === 'SIGTERM' ? 143 : 130;
      throw failureError(host.failure);
    }
    process.stderr.write(`sidecar: ${plan.manifest.name} ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${runtime.kind}); running ${command.join(' ')}\n`);
    child = startCommand(command, {...process.env, ...stackEnv(plan.manifest, runtime.kind)});
    const result = await child.result;
    await child.endGroup();
    child = undefined;
    // What of the stack ended while CMD ran (found by a new user's trial: the app
    // exited 9 under the tests and `run` said nothing): said, CMD's code kept.
    const ended = host.status().filter((s) => s.role !== 'init' && (s.state === 'exited' || s.state === 'failed'));
    if (ended.length > 0) process.stderr.write(`sidecar: while ${command[0]} ran, ${ended.map((s) => `${s.name} ${s.state}${s.exitCode === null ? '' : ` (exit code ${s.exitCode})`}`).join(', ')}; \`sidecar logs ${ended[0]!.name}\` shows its last lines\n`);
    await host.shutdown();
    return commandExit(result, command[0]!);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (host.phase !== 'done') await host.shutdown();
  }
}

// Only a ready stack started from this very manifest file: anything else could
// give CMD endpoints that are not (yet) there, or another project's.
async function runOnLiveStack(plan: UpPlan, command: string[]): Promise<number> {
  const live = plan.live!;
  const refuse = (why: string): SidecarError =>
    new SidecarError('SIDECAR_ALREADY_RUNNING', `a stack is already running in ${plan.files.dir} (supervisor pid ${live.pid}) ${why}; \`run\` did not start CMD`, {
      suggestion: '`sidecar down` first (then `sidecar run` brings up its own stack), or run CMD against the running stack once it is ready',
    });
  if (live.manifestFile !== plan.manifest.file) throw refuse(`from another manifest (${live.manifestFile})`);
  // Still starting (`up -d` just before, as CI scripts do): waited for, as a second
  // `up --wait` waits (found by a new user's trial: it was refused). A start that
  // fails is said as `up --wait` says it, exit 5, and CMD does not run.
  if (live.phase === 'starting') {
    process.stderr.write(`sidecar: the running stack ${plan.manifest.name} (supervisor pid ${live.pid}) is starting: waiting for it to be ready\n`);
    await callControl(live.socket, {method: 'wait'}, {peer: supervisorPeer(live.pid)});
  } else if (live.phase !== 'ready') throw refuse(`and it is ${live.phase}, not ready`);
  process.stderr.write(`sidecar: using the running stack ${plan.manifest.name} (supervisor pid ${live.pid}); running ${command.join(' ')}; the stack is left running (\`sidecar down\` stops it)\n`);
  // The endpoints of the stack that runs, as it reports them; said when the file says otherwise.
  const ps = await callControl<PsResult>(live.socket, {method: 'ps'}, {peer: supervisorPeer(live.pid)});
  const env = endpointEnv(ps.project, ps.services.map((s) => ({id: s.name, ports: s.ports})), plan.runtime);
  const edited = stackEnv(plan.manifest, plan.runtime);
  const differ = Object.keys({...env, ...edited}).filter((key) => env[key] !== edited[key]);
  if (differ.length > 0) {
    process.stderr.write(`sidecar: ${plan.manifest.file} was edited since the stack started: CMD gets the running stack's endpoints (${differ.map((key) => `${key}=${env[key] ?? '(none)'}`).join(', ')}); \`sidecar up\` applies the edit\n`);
  }
  const child = startCommand(command, {...process.env, ...env});
  const forward = (signal: NodeJS.Signals): void => child.forward(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const result = await child.result;
    await child.endGroup();
    return commandExit(result, command[0]!);
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}
