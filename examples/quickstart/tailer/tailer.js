// The log-tailer sidecar: follows FILE (argv[2], default LOG_DIR/access.log)
// in the shared volume and prints each new line with a prefix, like a log
// shipper would ship it. It also answers GET /lines on HOST:PORT with what it has seen, so a test can
// check that the app's lines crossed the volume.
import {closeSync, openSync, readSync, statSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const file = process.argv[2] ?? (process.env.LOG_DIR ? path.join(process.env.LOG_DIR, 'access.log') : undefined);
if (!file) {
  console.error('usage: node tailer.js FILE (or set LOG_DIR)');
  process.exit(2);
}
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 18090);
const seen = [];
let offset = 0;
let partial = '';

// Poll instead of fs.watch: it works the same on every filesystem and in containers.
function poll() {
  let size;
  try {
    size = statSync(file).size;
  } catch {
    return; // not written yet: the app creates it on its first request
  }
  if (size < offset) offset = 0; // truncated or replaced
  if (size === offset) return;
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  offset = size;
  const lines = (partial + buffer.toString('utf8')).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    console.log(`[tailer] ${line}`);
    seen.push(line);
    if (seen.length > 1000) seen.shift();
  }
}

const timer = setInterval(poll, 100);
const server = http.createServer((req, res) => {
  poll();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({file, count: seen.length, lines: seen.slice(-100)}) + '\n');
});
server.listen(port, host, () => console.log(`tailer: watching ${file}, lines seen at http://${host}:${port}/lines`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    clearInterval(timer);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
