#!/usr/bin/env node
// Entry of the detached supervisor (`up -d`, `up --wait`), spawned by the CLI:
// the bundled supervisor when current, else the plain build. Both run at load.
import {currentBundle, loadBundle, plainEntry} from './load-bundle.js';

const bundle = currentBundle('supervisor', 'host/supervisor-main.js');
if (bundle) loadBundle(bundle);
else await import(plainEntry('host/supervisor-main.js'));
