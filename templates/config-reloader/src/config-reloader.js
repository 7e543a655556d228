import {closeServer, listen} from './close-server.js';
import {createHealthServer} from './health.js';
import {Notifier} from './notify.js';
import {Reloader} from './reloader.js';
import {FileSource, HttpSource} from './sources.js';

// Wires source -> reloader -> notifier and the health server. Tests call it
// with port 0; main.js with env config.
export async function startConfigReloader(config, {log = () => {}} = {}) {
  const source = config.source.url ? new HttpSource(config.source.url, config.fetchTimeoutMs) : new FileSource(config.source.file);
  const reloader = new Reloader(config, {source, notifier: new Notifier(config), log});
  const server = createHealthServer(reloader);
  const healthPort = await listen(server, config.healthPort, config.host);
  await reloader.start();
  return {
    healthPort,
    reloader,
    async close() {
      await reloader.stop();
      await closeServer(server, config.shutdownGraceMs);
    },
  };
}
