import {intEnv, portEnv, stringEnv} from './env.js';
import {parseUpstreams} from './upstreams.js';

// Every knob with its default; README.md documents the same table.
export function readConfig(env = process.env) {
  return {
    host: stringEnv(env, 'HOST', '127.0.0.1'),
    listenPort: portEnv(env, 'LISTEN_PORT', 15001),
    adminPort: portEnv(env, 'ADMIN_PORT', 15000),
    upstreams: parseUpstreams(stringEnv(env, 'UPSTREAMS', '127.0.0.1:8080')),
    tryTimeoutMs: intEnv(env, 'TRY_TIMEOUT_MS', 2000, {min: 1}),
    retries: intEnv(env, 'RETRIES', 2, {max: 10}),
    backoffBaseMs: intEnv(env, 'RETRY_BACKOFF_MS', 25),
    backoffMaxMs: intEnv(env, 'RETRY_BACKOFF_MAX_MS', 1000),
    breakerThreshold: intEnv(env, 'BREAKER_THRESHOLD', 5, {min: 1}),
    breakerCooldownMs: intEnv(env, 'BREAKER_COOLDOWN_MS', 10_000),
    maxBodyBytes: intEnv(env, 'MAX_BODY_BYTES', 10 * 1024 * 1024),
    shutdownGraceMs: intEnv(env, 'SHUTDOWN_GRACE_MS', 5000),
  };
}
