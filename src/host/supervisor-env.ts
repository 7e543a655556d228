// Issue 13.1: Node reads every certificate of NODE_EXTRA_CA_CERTS at start-up,
// before any code runs; with a system bundle there (CI images and corporate
// machines set it to /etc/ssl/certs/ca-certificates.crt) that is 50-150 ms of a
// detached supervisor's start, for certificates it never checks: its https
// probes do not verify (like the kubelet's) and a local engine is a unix socket.
// So the supervisor starts without it, and bin/supervisor.js puts it back in
// its environment before anything runs, so every service still inherits the
// user's value. Only an engine reached over the network (DOCKER_HOST tcp:// or
// https://) may need those certificates: then the variable stays.
// Loaded by bin/run.js unbundled (prespawn.ts): node builtins only.

export const SAVED_EXTRA_CA_CERTS = 'SIDECAR_SAVED_NODE_EXTRA_CA_CERTS';

export function supervisorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const extra = env.NODE_EXTRA_CA_CERTS;
  // An empty value loads nothing (and bin/run.js's first line keeps it too).
  if (!extra || !localEngine(env.DOCKER_HOST)) return env;
  const {NODE_EXTRA_CA_CERTS: _dropped, ...rest} = env;
  return {...rest, [SAVED_EXTRA_CA_CERTS]: extra};
}

function localEngine(dockerHost: string | undefined): boolean {
  const value = dockerHost?.trim() ?? '';
  return value === '' || value.startsWith('unix://') || value.startsWith('/');
}
