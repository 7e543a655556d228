import http from 'node:http';
import {createAdminServer} from './admin.js';
import {closeServer, listen} from './close-server.js';
import {ProxyMetrics} from './metrics.js';
import {createProxyHandler} from './proxy-handler.js';
import {UpstreamPool} from './upstream-pool.js';
import {writeAccessLog} from './access-log.js';

// Wires the pieces together and starts both servers. Tests call this directly
// with port 0; main.js calls it with the environment's config.
export async function startHttpProxy(config, {accessLog = writeAccessLog} = {}) {
  const pool = new UpstreamPool(config.upstreams, {threshold: config.breakerThreshold, cooldownMs: config.breakerCooldownMs});
  const metrics = new ProxyMetrics();
  // Keep-alive to upstreams: a fresh TCP handshake per request would dominate latency.
  const agent = new http.Agent({keepAlive: true});
  const proxyServer = http.createServer(createProxyHandler({pool, config, metrics, accessLog, agent}));
  const adminServer = createAdminServer({pool, metrics});
  const listenPort = await listen(proxyServer, config.listenPort, config.host);
  const adminPort = await listen(adminServer, config.adminPort, config.host);
  return {
    listenPort,
    adminPort,
    pool,
    metrics,
    async close() {
      await Promise.all([closeServer(proxyServer, config.shutdownGraceMs), closeServer(adminServer, config.shutdownGraceMs)]);
      agent.destroy();
    },
  };
}
