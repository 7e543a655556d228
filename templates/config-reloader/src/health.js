import http from 'node:http';

// /healthz is ready once the target holds the config: the supervisor then
// starts the app, which can read it at once.
export function createHealthServer(reloader) {
  return http.createServer((req, res) => {
    if (new URL(req.url, 'http://health').pathname !== '/healthz') {
      res.writeHead(404, {'content-type': 'application/json'});
      return res.end(JSON.stringify({error: 'not found'}));
    }
    const {status} = reloader;
    res.writeHead(status.synced ? 200 : 503, {'content-type': 'application/json'});
    res.end(JSON.stringify({status: status.synced ? 'ok' : 'waiting for config', ...status}));
  });
}
