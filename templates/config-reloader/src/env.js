// Configuration comes only from the environment (12-factor), so one image runs
// unchanged under `sidecar up`, Docker Compose and Kubernetes.
// Bad values fail at start-up with the variable's name, never later at request time.

export class ConfigError extends Error {}

export function intEnv(env, name, fallback, {min = 0, max = Number.MAX_SAFE_INTEGER} = {}) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

// Port 0 asks the OS for a free port: the tests rely on it.
export function portEnv(env, name, fallback) {
  return intEnv(env, name, fallback, {min: 0, max: 65535});
}

export function stringEnv(env, name, fallback) {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}
