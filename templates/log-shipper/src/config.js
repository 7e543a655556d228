import path from 'node:path';
import {ConfigError, intEnv, portEnv, stringEnv} from './env.js';

// Every knob with its default; README.md documents the same table.
export function readConfig(env = process.env) {
  const files = stringEnv(env, 'LOG_FILES', '');
  const startAt = stringEnv(env, 'START_AT', 'beginning');
  if (!['beginning', 'end'].includes(startAt)) throw new ConfigError(`START_AT must be beginning or end, got "${startAt}"`);
  const shipUrl = stringEnv(env, 'SHIP_URL', '');
  if (shipUrl && !/^https?:\/\//.test(shipUrl)) throw new ConfigError(`SHIP_URL must be an http(s) URL, got "${shipUrl}"`);
  return {
    host: stringEnv(env, 'HOST', '127.0.0.1'),
    healthPort: portEnv(env, 'HEALTH_PORT', 15010),
    // Either a directory + pattern (new files are picked up) or a fixed list.
    logDir: path.resolve(stringEnv(env, 'LOG_DIR', './logs')),
    logPattern: stringEnv(env, 'LOG_PATTERN', '*.log'),
    logFiles: files ? files.split(',').map((file) => file.trim()).filter(Boolean) : [],
    service: stringEnv(env, 'SERVICE_NAME', 'app'),
    shipUrl,
    shipTimeoutMs: intEnv(env, 'SHIP_TIMEOUT_MS', 5000, {min: 1}),
    batchSize: intEnv(env, 'BATCH_SIZE', 500, {min: 1}),
    batchIntervalMs: intEnv(env, 'BATCH_INTERVAL_MS', 1000, {min: 1}),
    retryBaseMs: intEnv(env, 'RETRY_BASE_MS', 200, {min: 1}),
    retryMaxMs: intEnv(env, 'RETRY_MAX_MS', 30_000, {min: 1}),
    maxBufferedLines: intEnv(env, 'MAX_BUFFERED_LINES', 10_000, {min: 1}),
    pollIntervalMs: intEnv(env, 'POLL_INTERVAL_MS', 250, {min: 10}),
    rotateWaitMs: intEnv(env, 'ROTATE_WAIT_MS', 5000),
    offsetFile: path.resolve(stringEnv(env, 'OFFSET_FILE', '.log-shipper/offsets.json')),
    startAt,
    shutdownGraceMs: intEnv(env, 'SHUTDOWN_GRACE_MS', 5000),
  };
}
