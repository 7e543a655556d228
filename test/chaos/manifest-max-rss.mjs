// Loaded with `node --import` in front of the CLI: on exit, writes the process's
// peak resident set size (KiB) and the CPU time it used (microseconds, user +
// system) to $SIDECAR_TEST_RSS_FILE, so chaos tests can bound memory without
// /usr/bin/time and compare work done without the machine's load in the figure.
import {writeFileSync} from 'node:fs';

const file = process.env.SIDECAR_TEST_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, `${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}`);
  });
}
