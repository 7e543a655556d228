import http from 'node:http';

// One try against one upstream. Resolves once the response headers arrive, or
// rejects with `kind` 'timeout' (no headers within timeoutMs) or 'connect'
// (refused, reset, DNS...), which is all the retry loop needs to decide.
export class TryError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

export function sendOnce({upstream, method, path, headers, body, timeoutMs, agent}) {
  return new Promise((resolve, reject) => {
    const req = http.request({host: upstream.host, port: upstream.port, method, path, headers, agent});
    const timer = setTimeout(() => {
      req.destroy(new TryError('timeout', `no response from ${upstream.id} within ${timeoutMs}ms`));
    }, timeoutMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof TryError ? error : new TryError('connect', `${upstream.id}: ${error.message}`));
    });
    req.end(body);
  });
}
