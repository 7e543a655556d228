// The proxy sidecar: a reverse proxy on HOST:PORT forwarding every request to
// the app over the pod's shared loopback (127.0.0.1:UPSTREAM_PORT). It marks
// each response with `x-proxied-by` so a client can tell it went through.
import http from 'node:http';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 18080);
const upstreamPort = Number(process.env.UPSTREAM_PORT ?? 18081);
const PROXIED_BY = 'quickstart-proxy';

const server = http.createServer((req, res) => {
  const upstream = http.request(
    {host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: {...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? ''}},
    (answer) => {
      console.log(`proxy: ${req.method} ${req.url} -> ${answer.statusCode}`);
      res.writeHead(answer.statusCode ?? 502, {...answer.headers, 'x-proxied-by': PROXIED_BY});
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    console.log(`proxy: ${req.method} ${req.url} -> 502 (${error.message})`);
    res.writeHead(502, {'content-type': 'text/plain', 'x-proxied-by': PROXIED_BY});
    res.end(`proxy: the app at 127.0.0.1:${upstreamPort} did not answer: ${error.message}\n`);
  });
  req.pipe(upstream);
});

server.listen(port, host, () => console.log(`proxy: listening on http://${host}:${port}, forwarding to 127.0.0.1:${upstreamPort}`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
