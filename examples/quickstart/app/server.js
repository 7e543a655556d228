// The quickstart app: HTTP on HOST:PORT with /healthz; every other request is
// answered with JSON and written as one line to LOG_DIR/access.log (the shared volume).
import {appendFileSync, mkdirSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 18081);
const logDir = process.env.LOG_DIR ?? path.resolve('logs');
mkdirSync(logDir, {recursive: true});
const logFile = path.join(logDir, 'access.log');

const server = http.createServer((req, res) => {
  // Probes are not logged: they would drown the requests people send.
  if (req.url === '/healthz') {
    res.end('ok\n');
    return;
  }
  const requestId = req.headers['x-request-id'] ?? '-';
  appendFileSync(logFile, `${new Date().toISOString()} ${req.method} ${req.url} id=${requestId}\n`);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({hello: 'from the app', method: req.method, path: req.url, requestId}) + '\n');
});

server.listen(port, host, () => console.log(`app: listening on http://${host}:${port}, access log ${logFile}`));

// Stop promptly on the supervisor's signal: close idle keep-alive connections too.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`app: ${signal}, closing`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
