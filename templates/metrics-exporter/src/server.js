import http from 'node:http';
import {CONTENT_TYPE} from './exposition.js';

// /metrics for Prometheus, /healthz for the supervisor. Health does not depend
// on the app: the sidecar starts before the app and must be ready without it.
export function createServer(exporter) {
  return http.createServer(async (req, res) => {
    const path = new URL(req.url, 'http://exporter').pathname;
    if (path === '/metrics') {
      try {
        const text = await exporter.metricsText();
        res.writeHead(200, {'content-type': CONTENT_TYPE});
        res.end(text);
      } catch (error) {
        res.writeHead(500, {'content-type': 'text/plain'});
        res.end(`${error.message}\n`);
      }
    } else if (path === '/healthz') {
      res.writeHead(200, {'content-type': 'application/json'});
      res.end(JSON.stringify({status: 'ok'}));
    } else {
      res.writeHead(404, {'content-type': 'application/json'});
      res.end(JSON.stringify({error: 'not found', paths: ['/metrics', '/healthz']}));
    }
  });
}
