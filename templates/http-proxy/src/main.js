import {readConfig} from './config.js';
import {ConfigError} from './env.js';
import {startHttpProxy} from './http-proxy.js';
import {log} from './log.js';
import {onTerminate} from './shutdown.js';

// Entry point: config from env, start, log where we listen, stop on SIGTERM.
try {
  const config = readConfig();
  const proxy = await startHttpProxy(config);
  log('listening', {
    host: config.host, listenPort: proxy.listenPort, adminPort: proxy.adminPort,
    upstreams: config.upstreams.map((upstream) => upstream.id),
  });
  onTerminate(() => proxy.close(), log);
} catch (error) {
  log(error instanceof ConfigError ? 'invalid configuration' : 'failed to start', {error: error.message});
  process.exit(1);
}
