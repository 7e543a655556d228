#!/usr/bin/env node
// Entry of the detached supervisor (`up -d`, `up --wait`), spawned by the CLI:
// the bundled supervisor when current, else the plain build. Both run at load.
// Started without NODE_EXTRA_CA_CERTS (src/host/supervisor-env.ts): the
// services it starts get the user's value back.
require('./restore-env.js');
const {currentBundle, loadBundle, plainEntry} = require('./load-bundle.js');

// Started by bin/up.sh for the process runtime (the words src/host/supervisor-main.ts
// reads the same way): the wait for the first cgroup move begins now, from the
// small boot bundle, before the supervisor's own loads (~8 ms; issue 13.1), and the
// supervisor takes it over (warm-moves.ts: a SIGTERM meanwhile is noted, and it
// then ends after the warm-up's shell, as when told it is not needed).
const words = process.argv.slice(2);
if (words[0] === '--args-on-fd3' && words.includes('--runtime=process') && words.some((word) => /^--handover=handover-\d+$/.test(word))) {
  const boot = currentBundle('boot', 'boot.js');
  if (boot) loadBundle(boot).beginEarlyWarmUp();
}
const bundle = currentBundle('supervisor', 'host/supervisor-main.js');
if (bundle) loadBundle(bundle);
else import(plainEntry('host/supervisor-main.js'));
