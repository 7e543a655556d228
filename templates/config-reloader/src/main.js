import {readConfig} from './config.js';
import {startConfigReloader} from './config-reloader.js';
import {ConfigError} from './env.js';
import {log} from './log.js';
import {onTerminate} from './shutdown.js';

// Entry point: config from env, first sync, then watch; stop on SIGTERM.
try {
  const config = readConfig();
  const reloader = await startConfigReloader(config, {log});
  log('listening', {
    host: config.host, healthPort: reloader.healthPort, source: config.source.url ?? config.source.file,
    target: config.target, notify: {pidFile: config.notifyPidFile || null, signal: config.notifySignal, url: config.notifyUrl || null},
  });
  onTerminate(() => reloader.close(), log);
} catch (error) {
  log(error instanceof ConfigError ? 'invalid configuration' : 'failed to start', {error: error.message});
  process.exit(1);
}
