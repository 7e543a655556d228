import {closeServer, listen} from './close-server.js';
import {Exporter} from './exporter.js';
import {createServer} from './server.js';

// Starts the exporter's HTTP server. Tests call it with port 0; main.js with env config.
export async function startMetricsExporter(config, {log} = {}) {
  const exporter = new Exporter(config, {log});
  const server = createServer(exporter);
  const port = await listen(server, config.port, config.host);
  return {port, exporter, close: () => closeServer(server, config.shutdownGraceMs)};
}
