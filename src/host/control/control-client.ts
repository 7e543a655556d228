import net from 'node:net';
import {SidecarError} from '../../errors/index.js';
import {LineSplitter} from './line-splitter.js';
import {MAX_FRAME_CHARS, type ControlFrame, type ControlRequest, type ForwardedSignal, type InputFrame} from './protocol.js';
import {fromWireError} from './wire-error.js';

export interface CallOptions {
  // Give up connecting after this long.
  connectTimeoutMs?: number;
  // Give up after this long without a frame (answer, data or heartbeat): the
  // supervisor is stopped or busy (issue 9.3). Streams stay open while it beats.
  silenceTimeoutMs?: number;
  // Who answers there, for the messages (e.g. `the supervisor (pid 42)`).
  peer?: string;
  // Called for every `data` frame of a streaming request.
  onData?: (data: unknown) => void;
  // Sent after the request as input frames (exec's stdin), then its end.
  input?: NodeJS.ReadableStream;
  // Aborted with the signal the caller got (exec): sent on, and the answer still awaited.
  interrupt?: AbortSignal;
  // Ends a stream from our side (our stdout's reader has gone): resolves with undefined, as its `end` does.
  stop?: AbortSignal;
}

export const DEFAULT_SILENCE_MS = 10_000;

// True for the errors that mean "nobody listens there" (no supervisor, or one
// closing its socket as it shuts down: the connection is reset under us).
export function isNotListening(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK' || code === 'ETIMEDOUT_CONNECT' || code === 'ECONNRESET' || code === 'EPIPE';
}

export function notResponding(peer: string, silenceMs: number): SidecarError {
  return new SidecarError('SIDECAR_NOT_RESPONDING', `${peer} does not answer (nothing for ${silenceMs / 1000}s): it is stopped or busy`, {
    suggestion: '`sidecar down` kills it (after checking it is ours) and stops the stack',
  });
}

// One request over the control socket: resolves with the `result` frame (or
// undefined after `end` for streams), rejects with the supervisor's SidecarError.
// Callers check the socket's owner and the peer's identity before (find-supervisor).
export function callControl<T>(socketPath: string, request: ControlRequest, options: CallOptions = {}): Promise<T> {
  const peer = options.peer ?? 'the supervisor';
  const silenceMs = options.silenceTimeoutMs ?? DEFAULT_SILENCE_MS;
  return new Promise<T>((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let settled = false;
    let timer: NodeJS.Timeout;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      if (options.input) stopInput(options.input);
      socket.destroy();
    };
    const arm = (ms: number, error: () => Error): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(() => reject(error())), ms);
    };
    if (options.stop) {
      const stop = options.stop;
      const onStop = (): void => finish(() => resolve(undefined as T));
      if (stop.aborted) return onStop();
      stop.addEventListener('abort', onStop, {once: true});
      socket.once('close', () => stop.removeEventListener('abort', onStop));
    }
    arm(options.connectTimeoutMs ?? 2000, () => Object.assign(new Error(`no answer from ${socketPath}`), {code: 'ETIMEDOUT_CONNECT'}));
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      arm(silenceMs, () => notResponding(peer, silenceMs));
      socket.write(JSON.stringify(request) + '\n');
      if (options.input) sendInput(options.input, socket);
      if (options.interrupt) sendInterrupt(options.interrupt, socket);
    });
    const splitter = new LineSplitter(MAX_FRAME_CHARS);
    const onLine = (line: string): void => {
      if (settled || line === '') return;
      arm(silenceMs, () => notResponding(peer, silenceMs));
      let frame: ControlFrame;
      try {
        frame = JSON.parse(line) as ControlFrame;
      } catch {
        return finish(() => reject(new SidecarError('SIDECAR_UNEXPECTED', `${peer} sent a line that is not JSON`)));
      }
      if (frame.type === 'beat') return;
      if (frame.type === 'data') options.onData?.(frame.data);
      else if (frame.type === 'result') finish(() => resolve(frame.result as T));
      else if (frame.type === 'end') finish(() => resolve(undefined as T));
      else if (frame.type === 'error') finish(() => reject(fromWireError(frame.error)));
    };
    socket.on('data', (chunk: string) => {
      if (!splitter.push(chunk, onLine)) finish(() => reject(new SidecarError('SIDECAR_UNEXPECTED', `${peer} sent a frame over ${MAX_FRAME_CHARS / 1024 / 1024} MB: connection dropped`)));
    });
    socket.on('error', (error) => finish(() => reject(error)));
    socket.on('close', () =>
      finish(() => reject(new SidecarError('SIDECAR_NOT_RUNNING', `${peer} closed the connection before answering`, {suggestion: 'see .sidecar/supervisor.log, then run `sidecar down` to clean up'}))),
    );
  });
}

function sendInput(input: NodeJS.ReadableStream, socket: net.Socket): void {
  input.on('data', (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // Backpressure: a command that reads slowly slows the reader of our stdin.
    if (!socket.write(JSON.stringify({stdin: bytes.toString('base64')} satisfies InputFrame) + '\n')) {
      input.pause();
      socket.once('drain', () => input.resume());
    }
  });
  input.on('end', () => {
    if (!socket.destroyed) socket.write(JSON.stringify({stdinEnd: true} satisfies InputFrame) + '\n');
  });
  input.on('error', () => undefined);
}

function sendInterrupt(interrupt: AbortSignal, socket: net.Socket): void {
  const send = (): void => {
    if (!socket.destroyed) socket.write(JSON.stringify({signal: interrupt.reason as ForwardedSignal} satisfies InputFrame) + '\n');
  };
  if (interrupt.aborted) send();
  else interrupt.addEventListener('abort', send, {once: true});
  socket.once('close', () => interrupt.removeEventListener('abort', send));
}

// The answer came: stop reading our stdin, so that an open pipe nobody closes does not keep us alive.
function stopInput(input: NodeJS.ReadableStream): void {
  input.removeAllListeners('data');
  input.pause();
  (input as Partial<{destroy: () => void}>).destroy?.();
}
