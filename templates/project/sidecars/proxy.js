// A tiny reverse proxy sidecar: the pod's published port. It forwards every
// request to the app on 127.0.0.1:UPSTREAM_PORT (the pod shares one network)
// and answers 502 while the app is not up, so it can start before the app.
// `sidecar add http-proxy` scaffolds a complete one (retries, breakers, metrics).
import http from 'node:http';

const listenPort = Number(process.env.LISTEN_PORT ?? 8000);
const upstreamPort = Number(process.env.UPSTREAM_PORT ?? 8080);
// 127.0.0.1 on a host; the Docker image sets HOST=0.0.0.0 so the published port reaches it.
const host = process.env.HOST ?? '127.0.0.1';

const server = http.createServer((req, res) => {
  const upstream = http.request(
    {host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers},
    (answer) => {
      res.writeHead(answer.statusCode, {...answer.headers, 'x-served-by': 'proxy'});
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, {'content-type': 'application/json'});
    res.end(JSON.stringify({error: `app unavailable: ${error.code ?? error.message}`}));
  });
  req.pipe(upstream);
});

server.listen(listenPort, host, () => console.log(`proxy listening on http://${host}:${listenPort} -> 127.0.0.1:${upstreamPort}`));

// Sidecars stop after the app; finish what is in flight, then exit 0.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
