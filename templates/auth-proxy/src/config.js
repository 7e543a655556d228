import crypto from 'node:crypto';
import fs from 'node:fs';
import {ConfigError, intEnv, portEnv, stringEnv} from './env.js';

// Every knob with its default; README.md documents the same table. Keys are
// loaded and checked here, so a bad key fails the start, not the first request.
export function readConfig(env = process.env) {
  const upstream = stringEnv(env, 'UPSTREAM', 'http://127.0.0.1:8080');
  if (!/^http:\/\/[^/]+\/?$/.test(upstream)) throw new ConfigError(`UPSTREAM must be http://host:port, got "${upstream}"`);
  const audiences = stringEnv(env, 'JWT_AUDIENCE', '').split(',').map((aud) => aud.trim()).filter(Boolean);
  const keys = readKeys(env);
  return {
    host: stringEnv(env, 'HOST', '127.0.0.1'),
    listenPort: portEnv(env, 'LISTEN_PORT', 4180),
    upstream: new URL(upstream),
    keys,
    audiences,
    issuer: stringEnv(env, 'JWT_ISSUER', ''),
    clockSkewSeconds: intEnv(env, 'CLOCK_SKEW_S', 30, {max: 600}),
    rolesClaim: stringEnv(env, 'ROLES_CLAIM', 'roles'),
    healthPath: stringEnv(env, 'HEALTH_PATH', '/healthz'),
    realm: stringEnv(env, 'REALM', '__NAME__').replace(/["\\]/g, ''),
    shutdownGraceMs: intEnv(env, 'SHUTDOWN_GRACE_MS', 5000),
  };
}

// Which algorithms are accepted follows from which keys are configured: a
// token may never choose its own verification method.
function readKeys(env) {
  const secret = stringEnv(env, 'JWT_SECRET', '');
  const pem = stringEnv(env, 'JWT_PUBLIC_KEY', '') || readKeyFile(stringEnv(env, 'JWT_PUBLIC_KEY_FILE', ''));
  const keys = {};
  if (secret) {
    // RFC 7518 3.2: an HS256 key must be at least as long as the hash (32 bytes).
    if (Buffer.byteLength(secret) < 32) throw new ConfigError('JWT_SECRET must be at least 32 bytes long');
    keys.HS256 = Buffer.from(secret);
  }
  if (pem) keys.RS256 = parsePublicKey(pem);
  if (Object.keys(keys).length === 0) {
    throw new ConfigError('set JWT_SECRET (HS256) and/or JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE (RS256)');
  }
  return keys;
}

function readKeyFile(file) {
  if (!file) return '';
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`JWT_PUBLIC_KEY_FILE "${file}" cannot be read: ${error.message}`);
  }
}

function parsePublicKey(pem) {
  let key;
  try {
    // Env files often carry the PEM with literal \n: accept both.
    key = crypto.createPublicKey(pem.replace(/\\n/g, '\n'));
  } catch (error) {
    throw new ConfigError(`JWT public key is not a PEM public key: ${error.message}`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new ConfigError(`JWT public key must be RSA for RS256, got ${key.asymmetricKeyType}`);
  return key;
}
