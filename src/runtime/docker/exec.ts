import {constants} from 'node:os';
import {PassThrough} from 'node:stream';
import type Docker from 'dockerode';
import type {ExecOptions, ExecResult} from '../../runtime/types.js';
import {randomUuid} from '../random-id.js';
import {EXEC_MARKER_VAR, signalMarked} from './exec-cancel.js';

// The conventional "timed out" exit code (coreutils `timeout`).
const TIMED_OUT = 124;
// POSIX shells: 127 command not found, 126 found but not executable.
const NOT_FOUND = 127;
// runc reports a missing executable as exit 126 with this line on the exec's output.
const RUNC_NOT_FOUND = /OCI runtime exec failed: .*(executable file not found|no such file or directory)/;
// A cancel's signal, then SIGKILL after this long (as under the process runtime).
const CANCEL_GRACE_MS = 5000;
// How long the command has to be seen gone after the SIGKILL.
const KILL_GRACE_MS = 2000;

// Run a command inside a container through the engine (exec create/start),
// exit code from exec inspect: works whatever tools the image has.
export async function execIn(docker: Docker, container: Docker.Container, command: string[], options: ExecOptions): Promise<ExecResult> {
  const interactive = options.interactive === true;
  // The caller's stdin (exec -i), or this process's own in interactive mode when it is not a terminal.
  const input = options.stdin ?? (interactive && !process.stdin.isTTY ? process.stdin : undefined);
  // A cancellable exec's processes carry a marker of their own, for the cancel to find them.
  const marker = options.cancel ? randomUuid() : undefined;
  const exec = await container.exec({
    Cmd: command,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: input !== undefined,
    Env: [...Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`), ...(marker ? [`${EXEC_MARKER_VAR}=${marker}`] : [])],
  });
  const stream = await exec.start({hijack: true, stdin: input !== undefined});
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const captured = {stdout: [] as Buffer[], stderr: [] as Buffer[]};
  // The start of the output, in every mode: where runc says the command was not found.
  let head = '';
  const keepHead = (chunk: Buffer): void => {
    if (head.length < 4096) head += chunk.toString('utf8', 0, Math.min(chunk.length, 4096));
  };
  stdout.on('data', keepHead);
  stderr.on('data', keepHead);
  if (interactive) {
    stdout.pipe(process.stdout, {end: false});
    stderr.pipe(process.stderr, {end: false});
  } else {
    stdout.on('data', (chunk: Buffer) => captured.stdout.push(chunk));
    stderr.on('data', (chunk: Buffer) => captured.stderr.push(chunk));
  }
  docker.modem.demuxStream(stream, stdout, stderr);
  // The end of the input half-closes the hijacked connection: the command reads EOF.
  if (input) input.pipe(stream as NodeJS.WritableStream);
  const ended = new Promise<'ended'>((resolve) => {
    stream.on('end', () => resolve('ended'));
    stream.on('close', () => resolve('ended'));
    stream.on('error', () => resolve('ended'));
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (options.timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  const cancelled = new Promise<'cancel'>((resolve) => {
    if (options.cancel?.aborted) resolve('cancel');
    else options.cancel?.addEventListener('abort', () => resolve('cancel'), {once: true});
  });
  const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');
  const outcome = await Promise.race([ended, timedOut, cancelled]);
  clearTimeout(timer);
  input?.unpipe(stream as NodeJS.WritableStream);
  if (outcome === 'cancel' && marker) {
    // The caller was interrupted or went away: its command stops, and what it started,
    // SIGKILL after the grace; the result comes once the engine says it ended.
    const signal = cancelSignal(options.cancel?.reason);
    await signalMarked(container, marker, signal);
    if ((await Promise.race([ended, after(CANCEL_GRACE_MS)])) !== 'ended') await signalMarked(container, marker, 'SIGKILL');
    if ((await Promise.race([ended, after(KILL_GRACE_MS)])) !== 'ended') {
      (stream as NodeJS.ReadableStream & {destroy?: () => void}).destroy?.();
      return {exitCode: 128 + (constants.signals[signal] ?? 0), stdout: text(captured.stdout), stderr: `${text(captured.stderr)}could not stop it in the container (that needs sh, tr and grep in the image)`};
    }
  }
  if (outcome === 'timeout') {
    // The engine cannot kill an exec; dropping the stream is all we can do.
    (stream as NodeJS.ReadableStream & {destroy?: () => void}).destroy?.();
    return {exitCode: TIMED_OUT, stdout: text(captured.stdout), stderr: `${text(captured.stderr)}timed out after ${options.timeoutMs}ms`};
  }
  const info = await exec.inspect();
  // Issue 8.12: a missing command is 127 as in a shell and under the process
  // runtime (the engine says 126); its message belongs on stderr.
  if (info.ExitCode === 126 && RUNC_NOT_FOUND.test(head)) {
    return {exitCode: NOT_FOUND, stdout: '', stderr: `${text(captured.stdout)}${text(captured.stderr)}`};
  }
  return {exitCode: info.ExitCode ?? 1, stdout: text(captured.stdout), stderr: text(captured.stderr)};
}

function after(ms: number): Promise<'waited'> {
  return new Promise((resolve) => setTimeout(() => resolve('waited'), ms).unref());
}

function cancelSignal(reason: unknown): NodeJS.Signals {
  return typeof reason === 'string' && /^SIG[A-Z]+$/.test(reason) ? (reason as NodeJS.Signals) : 'SIGTERM';
}
