import {ConfigError, intEnv, portEnv, stringEnv} from './env.js';

// Every knob with its default; README.md documents the same table.
export function readConfig(env = process.env) {
  const targetUrl = stringEnv(env, 'TARGET_URL', 'http://127.0.0.1:8080/metrics.json');
  if (!/^https?:\/\//.test(targetUrl)) throw new ConfigError(`TARGET_URL must be an http(s) URL, got "${targetUrl}"`);
  const prefix = stringEnv(env, 'PREFIX', 'app');
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(prefix)) throw new ConfigError(`PREFIX must match [a-zA-Z_][a-zA-Z0-9_]*, got "${prefix}"`);
  return {
    host: stringEnv(env, 'HOST', '127.0.0.1'),
    port: portEnv(env, 'PORT', 9464),
    targetUrl,
    prefix,
    cacheMs: intEnv(env, 'CACHE_MS', 0),
    scrapeTimeoutMs: intEnv(env, 'SCRAPE_TIMEOUT_MS', 2000, {min: 1}),
    shutdownGraceMs: intEnv(env, 'SHUTDOWN_GRACE_MS', 2000),
  };
}
