import os from 'node:os';
import path from 'node:path';
import {ConfigError, intEnv, portEnv, stringEnv} from './env.js';

// Every knob with its default; README.md documents the same table.
export function readConfig(env = process.env) {
  const source = stringEnv(env, 'SOURCE', 'config/app.conf');
  const notifySignal = stringEnv(env, 'NOTIFY_SIGNAL', 'SIGHUP').toUpperCase();
  if (!(notifySignal in os.constants.signals)) throw new ConfigError(`NOTIFY_SIGNAL must be a signal name like SIGHUP, got "${notifySignal}"`);
  const notifyUrl = stringEnv(env, 'NOTIFY_URL', '');
  if (notifyUrl && !/^https?:\/\//.test(notifyUrl)) throw new ConfigError(`NOTIFY_URL must be an http(s) URL, got "${notifyUrl}"`);
  const pidFile = stringEnv(env, 'NOTIFY_PID_FILE', '');
  return {
    host: stringEnv(env, 'HOST', '127.0.0.1'),
    healthPort: portEnv(env, 'HEALTH_PORT', 15020),
    // An http(s) URL is polled; anything else is a file path (relative to the cwd).
    source: /^https?:\/\//.test(source) ? {url: source} : {file: path.resolve(source)},
    target: path.resolve(stringEnv(env, 'TARGET', 'shared/app.conf')),
    pollIntervalMs: intEnv(env, 'POLL_INTERVAL_MS', 1000, {min: 10}),
    debounceMs: intEnv(env, 'DEBOUNCE_MS', 300),
    fetchTimeoutMs: intEnv(env, 'FETCH_TIMEOUT_MS', 5000, {min: 1}),
    notifyPidFile: pidFile ? path.resolve(pidFile) : '',
    notifySignal,
    notifyUrl,
    notifyTimeoutMs: intEnv(env, 'NOTIFY_TIMEOUT_MS', 2000, {min: 1}),
    notifyRetries: intEnv(env, 'NOTIFY_RETRIES', 3, {max: 20}),
    shutdownGraceMs: intEnv(env, 'SHUTDOWN_GRACE_MS', 2000),
  };
}
