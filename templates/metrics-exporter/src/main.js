import {readConfig} from './config.js';
import {ConfigError} from './env.js';
import {log} from './log.js';
import {startMetricsExporter} from './metrics-exporter.js';
import {onTerminate} from './shutdown.js';

// Entry point: config from env, serve /metrics, stop on SIGTERM.
try {
  const config = readConfig();
  const exporter = await startMetricsExporter(config, {log});
  log('listening', {host: config.host, port: exporter.port, target: config.targetUrl, prefix: config.prefix});
  onTerminate(() => exporter.close(), log);
} catch (error) {
  log(error instanceof ConfigError ? 'invalid configuration' : 'failed to start', {error: error.message});
  process.exit(1);
}
