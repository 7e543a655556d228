// The app: a dependency-free HTTP server. Replace it with yours; keep /healthz
// (sidecar.yaml probes it) and the graceful SIGTERM handling.
import http from 'node:http';

const port = Number(process.env.PORT ?? 8080);
// Loopback on a host (traffic arrives through the proxy sidecar); the Docker
// image sets HOST=0.0.0.0, since probes reach a container on the pod's address.
const host = process.env.HOST ?? '127.0.0.1';

let requests = 0;

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, {'content-type': 'application/json'});
    return res.end('{"status":"ok"}');
  }
  // JSON metrics, the shape `sidecar add metrics-exporter` turns into Prometheus text.
  if (req.url === '/metrics.json') {
    res.writeHead(200, {'content-type': 'application/json'});
    return res.end(JSON.stringify({requests_total: requests, uptime_seconds: Math.round(process.uptime())}));
  }
  requests += 1;
  console.log(`${req.method} ${req.url}`);
  res.writeHead(200, {'content-type': 'application/json'});
  res.end(JSON.stringify({hello: '__NAME__', path: req.url}));
});

server.listen(port, host, () => console.log(`app listening on http://${host}:${port}`));

// `sidecar down` sends SIGTERM: finish in-flight requests, then exit 0.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
