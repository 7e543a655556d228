import {readConfig} from './config.js';
import {ConfigError} from './env.js';
import {prepareLogDir} from './log-dir.js';
import {log} from './log.js';
import {startLogShipper} from './log-shipper.js';
import {onTerminate} from './shutdown.js';

// Entry point: config from env, start tailing, stop on SIGTERM after the last
// batch is shipped and its offsets are written.
try {
  const config = readConfig();
  if (config.logFiles.length === 0) await prepareLogDir(config.logDir);
  const shipper = await startLogShipper(config);
  log('listening', {
    host: config.host, healthPort: shipper.healthPort, logDir: config.logDir,
    pattern: config.logFiles.length > 0 ? config.logFiles : config.logPattern,
    sink: config.shipUrl || 'stdout', offsetFile: config.offsetFile,
  });
  onTerminate(() => shipper.close(), log);
} catch (error) {
  log(error instanceof ConfigError ? 'invalid configuration' : 'failed to start', {error: error.message});
  process.exit(1);
}
