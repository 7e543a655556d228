import {connect} from 'node:net';
import type http from 'node:http';

export interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

const MAX_BYTES = 1 << 20;

// One GET over the engine's unix socket as a plain HTTP/1.1 exchange (issue 13.2):
// `up --runtime docker` asks whether an engine answers before the detached
// supervisor takes over, and node:http's first request costs the CLI ~12 ms
// (its module, agent and header checks) against ~2 ms for this. Engines answer
// these small GETs with a Content-Length or chunked body; anything else that
// ends the connection is read to its end.
export function unixGet(socketPath: string, path: string, timeoutMs: number): Promise<Answer> {
  return unixRequest(socketPath, 'GET', path, undefined, timeoutMs);
}

// The same exchange for any method, with an optional JSON body (the pod's infra
// started by the CLI, src/runtime/docker/infra-head-start.ts). `unref`: the
// exchange does not keep the process alive.
export function unixRequest(socketPath: string, method: 'GET' | 'POST' | 'DELETE', path: string, json: unknown, timeoutMs: number, options: {unref?: boolean} = {}): Promise<Answer> {
  const body = json === undefined ? '' : JSON.stringify(json);
  const head = `${method} ${path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n${json === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    if (options.unref) socket.unref();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | undefined, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(answer!);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer within ${timeoutMs}ms`)));
    socket.on('connect', () => socket.write(head + body));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_BYTES) return finish(new Error(`an answer over ${MAX_BYTES} bytes to ${method} ${path}`));
      const answer = parseAnswer(Buffer.concat(chunks), false);
      if (answer) finish(undefined, answer);
    });
    socket.on('end', () => {
      const answer = parseAnswer(Buffer.concat(chunks), true);
      finish(answer ? undefined : new Error(`the engine closed the connection before a whole answer to ${method} ${path}`), answer);
    });
    socket.on('error', (error) => finish(error));
  });
}

// The answer once it is whole (or, at the connection's end, whatever body came).
export function parseAnswer(data: Buffer, ended: boolean): Answer | undefined {
  const split = data.indexOf('\r\n\r\n');
  if (split === -1) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, split).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (!status) return undefined;
  const headers: http.IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${String(headers[name])}, ${value}`;
  }
  const raw = data.subarray(split + 4);
  const body = (bytes: Buffer): Answer => ({status: Number(status), headers, body: bytes.toString('utf8')});
  if (/\bchunked\b/i.test(String(headers['transfer-encoding'] ?? ''))) {
    const decoded = dechunk(raw);
    return decoded ? body(decoded) : ended ? body(raw) : undefined;
  }
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (length !== undefined && Number.isInteger(length) && raw.length >= length) return body(raw.subarray(0, length));
  return ended ? body(raw) : undefined;
}

// A chunked body up to its last (empty) chunk; undefined while incomplete.
function dechunk(raw: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol === -1) return undefined;
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isInteger(size) || size < 0) return undefined;
    if (size === 0) return Buffer.concat(parts);
    const start = eol + 2;
    if (raw.length < start + size + 2) return undefined;
    parts.push(raw.subarray(start, start + size));
    at = start + size + 2;
  }
}
