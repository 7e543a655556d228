// The app: a dependency-free HTTP server. Replace it with yours; keep /healthz
// (sidecar.yaml probes it) and the graceful SIGTERM handling.
import {appendFileSync, mkdirSync, readFileSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const port = Number(process.env.PORT ?? 8080);
// Loopback on a host (traffic arrives through the proxy sidecar); the Docker
// image sets HOST=0.0.0.0, since probes reach a container on the pod's address.
const host = process.env.HOST ?? '127.0.0.1';
// Set when a log shipper shares a volume with the app (`sidecar add log-shipper`):
// every log line also goes to LOG_DIR/app.log, which the shipper tails.
const logFile = process.env.LOG_DIR ? path.join(process.env.LOG_DIR, 'app.log') : undefined;
// Set when a config reloader keeps a file in sync (`sidecar add config-reloader`):
// read at start and again on POST /-/reload.
const configFile = process.env.CONFIG_FILE;

if (logFile) mkdirSync(path.dirname(logFile), {recursive: true});
const log = (line) => {
  console.log(line);
  if (logFile) appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
};
const readConfig = () => {
  try {
    return configFile ? readFileSync(configFile, 'utf8') : '';
  } catch {
    return '';
  }
};

let requests = 0;
let config = readConfig();

const json = (res, status, body) => {
  res.writeHead(status, {'content-type': 'application/json'});
  res.end(JSON.stringify(body));
};

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return json(res, 200, {status: 'ok'});
  // JSON metrics, the shape `sidecar add metrics-exporter` turns into Prometheus text.
  if (req.url === '/metrics.json') return json(res, 200, {requests_total: requests, uptime_seconds: Math.round(process.uptime())});
  if (req.url === '/-/reload' && req.method === 'POST') {
    config = readConfig();
    log(`config reloaded (${config.length} bytes)`);
    return json(res, 200, {reloaded: true});
  }
  if (req.url === '/-/config') return json(res, 200, {config});
  requests += 1;
  log(`${req.method} ${req.url}`);
  json(res, 200, {hello: '__NAME__', path: req.url});
});

server.listen(port, host, () => log(`app listening on http://${host}:${port}`));

// `sidecar down` sends SIGTERM: finish in-flight requests, then exit 0.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}
