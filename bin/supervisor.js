#!/usr/bin/env node
// Entry of the detached supervisor (`up -d`, `up --wait`), spawned by the CLI:
// the bundled supervisor when current, else the plain build. Both run at load.
// Started without NODE_EXTRA_CA_CERTS (src/host/supervisor-env.ts): the
// services it starts get the user's value back.
import './restore-env.js';
import {currentBundle, loadBundle, plainEntry} from './load-bundle.js';

const bundle = currentBundle('supervisor', 'host/supervisor-main.js');
if (bundle) loadBundle(bundle);
else await import(plainEntry('host/supervisor-main.js'));
