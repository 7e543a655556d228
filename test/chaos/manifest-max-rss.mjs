// Loaded with `node --import` in front of the CLI: on exit, writes the process's
// peak resident set size (KiB) to $SIDECAR_TEST_RSS_FILE, so chaos tests can
// bound memory without /usr/bin/time.
import {writeFileSync} from 'node:fs';

const file = process.env.SIDECAR_TEST_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
