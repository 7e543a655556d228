import {chmodSync, rmSync} from 'node:fs';
import net from 'node:net';
import {SidecarError, toWireError} from './wire-error.js';
import {LineSplitter} from './line-splitter.js';
import {HEARTBEAT_MS, MAX_REQUEST_CHARS, type ControlFrame, type ControlRequest} from './protocol.js';

// What a handler uses to answer: one result or error, or data frames then end.
// Input frames kept while the handler is not listening yet (exec's first chunks).
const MAX_EARLY_INPUT = 64;

export interface ControlChannel {
  result(value: unknown): void;
  error(error: unknown): void;
  data(value: unknown): void;
  end(): void;
  // Called once when the client goes away (stop streaming to it).
  onClose(listener: () => void): void;
  readonly closed: boolean;
  // Bytes written but not yet taken by the client (a slow reader's backlog).
  readonly bufferedBytes: number;
  // Called whenever that backlog has been taken; returns an unsubscribe.
  onDrain(listener: () => void): () => void;
  // The lines the client sends after its request (parsed JSON, e.g. exec's stdin);
  // those that came before a listener are handed to the first one.
  onInput(listener: (frame: unknown) => void): void;
}

export type ControlHandler = (request: ControlRequest, channel: ControlChannel) => void | Promise<void>;

// The supervisor's unix socket: mode 0600 from birth (umask around listen), no TCP.
export class ControlServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly socketPath: string,
    private readonly handler: ControlHandler,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  async listen(): Promise<void> {
    rmSync(this.socketPath, {force: true});
    const previous = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.socketPath, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(previous);
    }
    chmodSync(this.socketPath, 0o600);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    rmSync(this.socketPath, {force: true});
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    const splitter = new LineSplitter(MAX_REQUEST_CHARS);
    let handled = false;
    const closeListeners: Array<() => void> = [];
    let inputListener: ((frame: unknown) => void) | undefined;
    const earlyInput: unknown[] = [];
    let closed = false;
    let beat: NodeJS.Timeout | undefined;
    const finish = (frame: ControlFrame): void => {
      clearInterval(beat);
      send(frame);
      socket.end();
    };
    const send = (frame: ControlFrame): void => {
      if (!closed && !socket.writableEnded) socket.write(JSON.stringify(frame) + '\n');
    };
    const channel: ControlChannel = {
      result: (value) => finish({type: 'result', result: value}),
      error: (error) => finish({type: 'error', error: toWireError(error)}),
      data: (value) => send({type: 'data', data: value}),
      end: () => finish({type: 'end'}),
      onClose: (listener) => closeListeners.push(listener),
      get closed() {
        return closed;
      },
      get bufferedBytes() {
        return socket.writableLength;
      },
      onDrain: (listener) => {
        socket.on('drain', listener);
        return () => socket.off('drain', listener);
      },
      onInput: (listener) => {
        inputListener = listener;
        for (const frame of earlyInput.splice(0)) listener(frame);
      },
    };
    // After the request, each line is one input frame; a line that is not JSON is dropped.
    const input = (line: string): void => {
      let frame: unknown;
      try {
        frame = JSON.parse(line);
      } catch {
        return;
      }
      if (inputListener) inputListener(frame);
      // A request that takes no input gets none kept: a client writing on is cut off.
      else if (earlyInput.push(frame) > MAX_EARLY_INPUT) socket.destroy();
    };
    socket.on('close', () => {
      closed = true;
      clearInterval(beat);
      this.sockets.delete(socket);
      for (const listener of closeListeners) listener();
    });
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      // One request per connection; what follows it is input for that request.
      const whole = splitter.push(chunk, (line) => {
        if (line.trim() === '') return;
        if (handled) return input(line);
        handled = true;
        // A sign of life while the answer is being prepared: the client's deadline is for silence, not for work.
        beat = setInterval(() => send({type: 'beat'}), HEARTBEAT_MS);
        beat.unref();
        let request: ControlRequest;
        try {
          request = JSON.parse(line) as ControlRequest;
        } catch {
          channel.error(new SidecarError('SIDECAR_USAGE', 'the control socket got a line that is not JSON'));
          return;
        }
        Promise.resolve(this.handler(request, channel)).catch((error: unknown) => channel.error(error));
      });
      if (!whole) {
        handled = true;
        const error = new SidecarError('SIDECAR_USAGE', `the control socket got a request over ${MAX_REQUEST_CHARS / 1024 / 1024} MB: connection dropped`);
        // Say why and stop reading at once (the rest of the line is never buffered);
        // close a moment later, so that a client still writing gets to read why.
        socket.pause();
        socket.end(JSON.stringify({type: 'error', error: toWireError(error)} satisfies ControlFrame) + '\n');
        setTimeout(() => socket.destroy(), 1000).unref();
      }
    });
  }
}
