// Diagnostics are JSON lines on stderr: stdout is reserved for the data this
// sidecar produces (access logs, shipped lines), so the two never mix.
export function log(msg, fields = {}) {
  process.stderr.write(JSON.stringify({ts: new Date().toISOString(), msg, ...fields}) + '\n');
}
