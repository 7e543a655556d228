// bin/run.js's first line and src/host/supervisor-env.ts start Node without
// NODE_EXTRA_CA_CERTS (Node reads the whole bundle before any code runs, 50-150
// ms, for certificates this process never checks): it is put back here, first
// thing, so every program started from here gets the user's value.
const saved = process.env.SIDECAR_SAVED_NODE_EXTRA_CA_CERTS;
if (saved !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = saved;
  delete process.env.SIDECAR_SAVED_NODE_EXTRA_CA_CERTS;
}
// bin/up.sh's supervisor started ahead (`PID FIFO`, src/host/shell-prespawn.ts):
// for this process only, never for anything it starts.
const shellPrespawned = process.env.SIDECAR_PRESPAWNED;
if (shellPrespawned !== undefined) {
  delete process.env.SIDECAR_PRESPAWNED;
  globalThis[Symbol.for('sidecar.shellPrespawned')] = shellPrespawned;
}
