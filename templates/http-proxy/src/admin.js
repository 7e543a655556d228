import http from 'node:http';

// Health and metrics live on their own port so they never shadow the app's
// own paths on the proxied port.
export function createAdminServer({pool, metrics}) {
  return http.createServer((req, res) => {
    const path = new URL(req.url, 'http://admin').pathname;
    if (path === '/healthz') {
      res.writeHead(200, {'content-type': 'application/json'});
      res.end(JSON.stringify({status: 'ok'}));
    } else if (path === '/metrics') {
      res.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8'});
      res.end(metrics.render(pool));
    } else {
      res.writeHead(404, {'content-type': 'application/json'});
      res.end(JSON.stringify({error: 'not found', paths: ['/healthz', '/metrics']}));
    }
  });
}
