import http from 'node:http';

// /healthz for the supervisor's probe. It reports, rather than fails on, a
// shipping backlog: restarting the shipper would not bring a dead endpoint back.
export function createHealthServer(status) {
  return http.createServer((req, res) => {
    if (new URL(req.url, 'http://health').pathname !== '/healthz') {
      res.writeHead(404, {'content-type': 'application/json'});
      return res.end(JSON.stringify({error: 'not found'}));
    }
    res.writeHead(200, {'content-type': 'application/json'});
    res.end(JSON.stringify({status: 'ok', ...status()}));
  });
}
