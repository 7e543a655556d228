import net from 'node:net';
import {SidecarError} from '../../errors/index.js';
import {LineSplitter} from './line-splitter.js';
import type {ControlFrame, ControlRequest} from './protocol.js';
import {fromWireError} from './wire-error.js';

export interface CallOptions {
  // Give up connecting (not answering) after this long.
  connectTimeoutMs?: number;
  // Called for every `data` frame of a streaming request.
  onData?: (data: unknown) => void;
}

// True for the errors that mean "nobody listens there" (no supervisor).
export function isNotListening(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK' || code === 'ETIMEDOUT_CONNECT';
}

// One request over the control socket: resolves with the `result` frame (or
// undefined after `end` for streams), rejects with the supervisor's SidecarError.
export function callControl<T>(socketPath: string, request: ControlRequest, options: CallOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      socket.destroy();
    };
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer from ${socketPath}`), {code: 'ETIMEDOUT_CONNECT'});
      finish(() => reject(error));
    }, options.connectTimeoutMs ?? 2000);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      clearTimeout(timer);
      socket.write(JSON.stringify(request) + '\n');
    });
    const splitter = new LineSplitter();
    socket.on('data', (chunk: string) =>
      splitter.push(chunk, (line) => {
        if (settled || line === '') return;
        const frame = JSON.parse(line) as ControlFrame;
        if (frame.type === 'data') options.onData?.(frame.data);
        else if (frame.type === 'result') finish(() => resolve(frame.result as T));
        else if (frame.type === 'end') finish(() => resolve(undefined as T));
        else finish(() => reject(fromWireError(frame.error)));
      }),
    );
    socket.on('error', (error) => finish(() => reject(error)));
    socket.on('close', () =>
      finish(() => reject(new SidecarError('SIDECAR_NOT_RUNNING', 'the supervisor closed the connection before answering', {suggestion: 'see .sidecar/supervisor.log, then run `sidecar down` to clean up'}))),
    );
  });
}
