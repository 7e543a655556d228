import http from 'node:http';
import {authenticate} from './authenticate.js';
import {closeServer, listen} from './close-server.js';
import {forward} from './forward.js';
import {withoutClientIdentity} from './identity.js';

// The request path: health (unauthenticated), else authenticate, strip any
// client-supplied identity, forward with ours. Tests call startAuthProxy with
// port 0; main.js with env config.
export async function startAuthProxy(config, {log = () => {}} = {}) {
  const agent = new http.Agent({keepAlive: true});
  const server = http.createServer((req, res) => {
    if (new URL(req.url, 'http://proxy').pathname === config.healthPath) {
      res.writeHead(200, {'content-type': 'application/json'});
      return res.end(JSON.stringify({status: 'ok'}));
    }
    const result = authenticate(req.headers.authorization, config);
    if (!result.identity) {
      log('rejected', {method: req.method, path: req.url, reason: result.body.error_description});
      res.writeHead(result.status, {'content-type': 'application/json', 'www-authenticate': result.challenge});
      return res.end(JSON.stringify(result.body));
    }
    forward(req, res, {upstream: config.upstream, agent, headers: withoutClientIdentity(req.headers), identity: result.identity});
  });
  const port = await listen(server, config.listenPort, config.host);
  return {
    port,
    async close() {
      await closeServer(server, config.shutdownGraceMs);
      agent.destroy();
    },
  };
}
