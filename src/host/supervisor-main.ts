// The detached supervisor (`up -d`, `up --wait`): a plain node entry, no oclif, so
// it starts fast and stays small. It owns the stack until `down`, a signal, or the
// app's completion, then removes its socket and record and exits.
import {closeSync, fstatSync, lstatSync, readFileSync, unlinkSync} from 'node:fs';
import path from 'node:path';
import {Socket} from 'node:net';
import {SidecarError, fromOsError} from '../errors/index.js';
import type {Manifest} from '../manifest/types.js';
import {supervisorNote} from '../logs/supervisor-note.js';
import {adoptLock, tryLock} from './project-lock.js';
import {projectFiles} from './project-files.js';
import {createRuntime, preloadRuntime} from '../runtime/resolve-runtime.js';
import {StackHost} from './stack-host.js';
import {isSameProcess, processStartTime} from '../runtime/process/process-start-time.js';
import {takeDownRequest} from './down-request.js';
import {forgetStoppedStack} from './state-file.js';
import type {SupervisorArgs} from './spawn-supervisor.js';
import {ARGS_ON_FD3} from './prespawn.js';
import {takeEarlyWarmUp, warmCgroupMoves} from '../runtime/process/cgroup/warm-moves.js';

async function main(args: SupervisorArgs): Promise<number> {
  const manifest = args.manifestJson ? (JSON.parse(readFileSync(args.manifestJson, 'utf8')) as Manifest) : await (await import('../manifest/load.js')).loadManifest(args.manifestFile);
  const files = projectFiles(manifest.dir);
  // One stack per project directory (issue 9.5): take over the lock our CLI holds, held until this process exits.
  const attempt = args.lockToken ? adoptLock(files, args.lockToken) : tryLock(files, 'supervisor');
  if (!attempt || 'heldBy' in attempt) {
    throw new SidecarError('SIDECAR_ALREADY_RUNNING', `another sidecar holds the stack in ${files.dir}${attempt && 'heldBy' in attempt ? ` (pid ${attempt.heldBy.pid})` : ''}`, {suggestion: '`sidecar ps` shows it; `sidecar down` stops it'});
  }
  const runtime = await createRuntime(args.runtime, {forceBuild: args.forceBuild === true, ...(args.headStart ? {headStart: args.headStart} : {})});
  if (args.headStart) log(`the pod's infra container ${args.headStart.id.slice(0, 12)} was created by \`up\`, and is starting`);
  const host = new StackHost({
    manifest,
    runtime,
    files,
    detached: true,
    ...(args.only.length > 0 ? {only: args.only} : {}),
    ...(args.timeoutMs !== undefined ? {timeoutMs: args.timeoutMs} : {}),
    ...(args.watch ? {watch: true} : {}),
  });
  let exitCode = 0;
  // A `down` from the shell (bin/down.sh): once stopped, the stack is forgotten as `down` does.
  let downStopped: Promise<boolean> | undefined;
  const stopOn = (signal: NodeJS.Signals): void => {
    process.on(signal, () => {
      const down = signal === 'SIGTERM' && !downStopped ? takeDownRequest(files.downRequest, {pid: process.pid, startTime: processStartTime(process.pid)}) : undefined;
      if (down) {
        log('SIGTERM with a down request (`sidecar down`): stopping the stack');
        downStopped = host.shutdown({volumes: down.volumes, requestedBy: '`sidecar down`'}).then(
          () => true,
          () => false,
        );
        return;
      }
      log(`${signal}: stopping the stack`);
      void host.shutdown({immediate: host.phase === 'stopping', requestedBy: signal});
    });
  };
  stopOn('SIGTERM');
  stopOn('SIGINT');
  process.on('SIGHUP', () => undefined);
  // The socket and files first, then the first service's process is made ahead
  // (issue 13.1): the first cgroup of a stack is made while the warm-up's move
  // (warm-moves.ts) may still hold the kernel's cgroup lock for its grace period,
  // and a mkdir then waits for it (4-12 ms in a trace); made before, the socket
  // and files waited behind it.
  await host.open();
  host.precreate();
  if (args.owner) watchOwner(args.owner, () => void host.shutdown({requestedBy: `the end of its owner, pid ${args.owner!.pid}`}));
  log(`supervising ${manifest.name} (${runtime.kind}) on ${host.socketPath}`);
  void host.supervisor.completion.then((completion) => {
    // Only a stack that was ready can complete: a failed start stops the supervisor
    // too (reason 'stopped', code 0), and is reported below as the failure it is (issue 8.6).
    if (host.phase !== 'ready' || completion.reason !== 'completed') return;
    exitCode = completion.exitCode;
    log(`the app completed with exit code ${completion.exitCode}: stopping the sidecars`);
    void host.shutdown();
  });
  await host.start();
  if (host.phase === 'failed') {
    log(`start-up failed: ${host.failure?.message ?? 'unknown'}`);
    exitCode = 5;
    await host.shutdown();
  }
  await host.finished;
  // Forgotten while this process still holds the project, as `down` does under the lock (src/stack/down-live.ts).
  if (downStopped && (await downStopped)) {
    try {
      forgetStoppedStack(files, host.volumesRemoved);
    } catch (error) {
      // Left as a SIGTERM leaves it: `down` (Node) then finds state.json and tells what it holds.
      log(`after the down request, state.json could not be moved to last-run.json: ${(error as Error).message}`);
    }
  }
  return exitCode;
}

// The Node API's caller owns the stack: once that process is gone (pid + start
// time, so a reused pid does not keep it alive), stop. Checked every second.
function watchOwner(owner: {pid: number; startTime?: string}, stop: () => void): void {
  const timer = setInterval(() => {
    if (isSameProcess(owner.pid, owner.startTime)) return;
    clearInterval(timer);
    log(`its owner (pid ${owner.pid}) is gone: stopping the stack`);
    stop();
  }, 1000);
  timer.unref();
}

const log = supervisorNote;
// A write to supervisor.log that fails (full disk) must not take the stack down.
process.stderr.on('error', () => undefined);

// Started ahead by bin/run.js (prespawn.ts): the arguments come on fd 3 once the
// CLI has checked everything; a pipe closed with nothing on it means not needed.
// Started by the shell (bin/up.sh, `--handover=NAME`): fd 3 is the FIFO
// .sidecar/NAME, opened read-write, so no end ever comes: the arguments are one
// line, and a CLI that is gone (this process handed to another parent) or an
// empty line means not needed.
// The cgroup warm-up's shell, begun while waiting for the arguments (bin/up.sh's
// supervisor, process runtime): a supervisor that is not needed ends after it.
let warmUp: Promise<void> | undefined;
const WARM_UP_WAIT_MS = 2000;
const NOT_NEEDED = ['SIGURG', 'SIGTERM'] as const;

async function readArgs(): Promise<SupervisorArgs | undefined> {
  if (process.argv[2] !== ARGS_ON_FD3) return JSON.parse(process.argv[2] ?? '{}') as SupervisorArgs;
  const flags = process.argv.slice(3);
  // `up --runtime X` named the runtime: load it while waiting.
  const runtime = flags.find((flag) => flag.startsWith('--runtime='));
  if (runtime) preloadRuntime(runtime.slice('--runtime='.length));
  const handover = flags.find((flag) => /^--handover=handover-\d+$/.test(flag))?.slice('--handover='.length);
  const pipe = new Socket({fd: 3, readable: true, writable: false});
  // Started by the shell, it is told it is not needed by an empty line or by SIGURG
  // (shell-prespawn.ts; SIGTERM too): it then ends after its warm-up's shell
  // (notNeeded). The handlers are in place before that shell is started, and stay
  // while this process ends: a SIGTERM's default end would leave the shell to init.
  let onTerm = (): void => undefined;
  const terminated = new Promise<string>((resolve) => (onTerm = () => resolve('')));
  if (handover) for (const signal of NOT_NEEDED) process.on(signal, onTerm);
  // bin/supervisor.js may have begun the warm-up before this bundle loaded, noting any signal meanwhile (warm-moves.ts).
  const early = takeEarlyWarmUp();
  early?.release();
  if (early?.signalled) onTerm();
  // Started by the shell for the process runtime: its first service joins a cgroup
  // ~20 ms from now, and the kernel's wait for that begins here, while this process
  // waits anyway (warm-moves.ts), instead of in the CLI on the way to the arguments.
  if (early) warmUp = early.ended;
  else if (handover && runtime === '--runtime=process') warmUp = warmCgroupMoves();
  const text = await (handover ? readLine(pipe, handover, terminated) : readAll(pipe));
  if (text !== '') for (const signal of NOT_NEEDED) process.removeListener(signal, onTerm);
  pipe.destroy();
  return text === '' ? undefined : (JSON.parse(text) as SupervisorArgs);
}

async function readAll(pipe: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of pipe) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// The FIFO is named after the CLI (its pid: the shell's, which became the CLI),
// this process's parent until the CLI is gone, even before this process started.
async function readLine(pipe: Socket, fifo: string, terminated: Promise<string>): Promise<string> {
  const cli = Number(fifo.slice('handover-'.length));
  const orphaned = new Promise<string>((resolve) => {
    const gone = (): boolean => process.ppid !== cli;
    if (gone()) return resolve('');
    const timer = setInterval(() => {
      if (!gone()) return;
      clearInterval(timer);
      resolve('');
    }, 50);
    pipe.once('close', () => clearInterval(timer));
  });
  const line = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pipe) {
      chunks.push(chunk as Buffer);
      if ((chunk as Buffer).includes(10)) break;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    return text.slice(0, Math.max(text.indexOf('\n'), 0));
  })();
  try {
    return await Promise.race([line, orphaned, terminated]);
  } finally {
    // The CLI removes it once written; gone here too whatever happened.
    removeOwnFifo(fifo);
  }
}

// The FIFO on fd 3, removed from the directory bin/up.sh made it in (its fd 4,
// so also from a .sidecar moved away and replaced by a link, as a chaos test
// does), or else from .sidecar/ while that is a directory; by that name only
// while the name is still our FIFO. Never through a link.
function removeOwnFifo(name: string): void {
  let given = false;
  try {
    given = fstatSync(STATE_DIR_FD).isDirectory();
  } catch {
    // Not given (started by hand, as a test does).
  }
  try {
    const own = fstatSync(3);
    const dir = given ? `/proc/self/fd/${STATE_DIR_FD}` : '.sidecar';
    if (!given && !lstatSync(dir).isDirectory()) return;
    const file = path.join(dir, name);
    const found = lstatSync(file);
    if (found.isFIFO() && found.ino === own.ino && found.dev === own.dev) unlinkSync(file);
  } catch {
    // Gone already (the CLI removes it once written), or not ours to remove.
  } finally {
    // Never inherited by the stack's processes.
    if (given) closeSync(STATE_DIR_FD);
  }
}

// bin/up.sh's .sidecar/ as it checked it, given to this process on fd 4.
const STATE_DIR_FD = 4;

// Not needed: ended once the warm-up's shell has (bounded), so nothing of ours outlives this process.
async function notNeeded(): Promise<number> {
  if (!warmUp) return 0;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([warmUp, new Promise((resolve) => (timer = setTimeout(resolve, WARM_UP_WAIT_MS)))]);
  clearTimeout(timer);
  return 0;
}

readArgs()
  .then((args) => (args === undefined ? notNeeded() : main(args)))
  .then(
  (code) => process.exit(code),
  async (thrown: unknown) => {
    const error = fromOsError(thrown) ?? thrown;
    // The error block's module (and chalk, ~4 ms) loads only for a failure, off every start.
    const block = error instanceof SidecarError ? (await import('../output/render-error.js')).renderError(error) : String((error as Error)?.stack ?? error);
    process.stderr.write(block + '\n');
    process.exit(error instanceof SidecarError ? error.exitCode : 1);
  },
);
