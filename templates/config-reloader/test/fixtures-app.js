// A tiny real "app" for the signal test: on SIGHUP it re-reads its config and
// prints it, like nginx or haproxy would reload. Run as a child process.
import fs from 'node:fs';

const target = process.argv[2];
process.on('SIGHUP', () => {
  process.stdout.write(JSON.stringify({reloaded: fs.readFileSync(target, 'utf8')}) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
process.stdout.write(JSON.stringify({ready: true}) + '\n');
setInterval(() => {}, 1000);
