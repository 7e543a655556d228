import {readConfig} from './config.js';
import {ConfigError} from './env.js';
import {log} from './log.js';
import {startAuthProxy} from './auth-proxy.js';
import {onTerminate} from './shutdown.js';

// Entry point: config (and keys) from env, start, stop on SIGTERM.
try {
  const config = readConfig();
  if (config.audiences.length === 0) log('warning: JWT_AUDIENCE is not set, tokens for any audience are accepted');
  const proxy = await startAuthProxy(config, {log});
  log('listening', {
    host: config.host, port: proxy.port, upstream: config.upstream.origin,
    algorithms: Object.keys(config.keys), audiences: config.audiences, issuer: config.issuer || null,
  });
  onTerminate(() => proxy.close(), log);
} catch (error) {
  log(error instanceof ConfigError ? 'invalid configuration' : 'failed to start', {error: error.message});
  process.exit(1);
}
