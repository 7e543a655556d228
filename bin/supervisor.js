#!/usr/bin/env node
// Entry of the detached supervisor (`up -d`, `up --wait`), spawned by the CLI:
// the bundled supervisor when current, else the plain build. Both run at load.
// Started without NODE_EXTRA_CA_CERTS (src/host/supervisor-env.ts): the
// services it starts get the user's value back.
require('./restore-env.js');
const {currentBundle, loadBundle, plainEntry} = require('./load-bundle.js');

const bundle = currentBundle('supervisor', 'host/supervisor-main.js');
if (bundle) loadBundle(bundle);
else import(plainEntry('host/supervisor-main.js'));
