import net from 'node:net';

// Issue 13.4: a plain-http probe is one request written on a TCP socket and the
// status line read back. Node's http client (agent, request and response objects,
// the parser, their listeners) costs twice the CPU per check, and an idle supervisor
// with five probes a second spent most of its time there. The request is the one
// http.get sends with agent: false (GET, Host, Connection: close); the answer is
// judged by its status code only, as before (the body was discarded unread).

// A path http.get would send as it is: printable ASCII, no space (it refuses the rest).
const PLAIN_PATH = /^\/[\x21-\x7e]*$/;
// Longest status line read before giving up on an answer that is not HTTP.
const MAX_STATUS_LINE = 8192;

export function canGetPlainly(path: string, headers: Record<string, string>): boolean {
  return PLAIN_PATH.test(path) && Object.keys(headers).length === 0;
}

// Resolves with the status code of GET path on host:port; rejects with the socket's
// error (the same `connect ECONNREFUSED ...` as http.get), or when the answer ends
// or is not an HTTP status line. `signal` aborts it.
export function plainHttpGet(host: string, port: number, path: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({host, port});
    let head = '';
    let settled = false;
    const settle = (error: Error | undefined, status?: number) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(status!);
    };
    const onAbort = () => settle(new Error('The operation was aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, {once: true});
    socket.setEncoding('latin1');
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host.includes(':') ? `[${host}]` : host}:${port}\r\nConnection: close\r\n\r\n`));
    const judge = (line: string) => {
      const status = /^HTTP\/\d(?:\.\d)? (\d{3})(?: |$)/.exec(line);
      settle(status ? undefined : new Error('Parse Error: not an HTTP status line'), status ? Number(status[1]) : undefined);
    };
    socket.on('data', (chunk: string) => {
      head += chunk;
      const end = head.indexOf('\r\n');
      if (end >= 0) judge(head.slice(0, end));
      else if (head.length >= MAX_STATUS_LINE) judge(head);
    });
    socket.once('error', (error) => settle(error));
    socket.once('close', () => (head === '' ? settle(new Error('socket hang up')) : judge(head)));
  });
}
