// One JSON line per request on stdout: the app's traffic, greppable and ready
// for a log shipper. Diagnostics go to stderr (see log.js).
export function writeAccessLog(entry) {
  process.stdout.write(JSON.stringify({ts: new Date().toISOString(), ...entry}) + '\n');
}
