#!/usr/bin/env node
// Entry point. `--version` is answered before oclif loads (the hot path of
// scripts and start-up benchmarks). Everything else runs the bundled CLI with
// its V8 code cache (scripts/bundle.js), or the plain build in development.
import {fastPath} from '../dist/fast-path.js';
import {currentBundle, loadBundle, plainEntry} from './load-bundle.js';

const argv = process.argv.slice(2);
if (argv[0] === '__complete') {
  // Shell completion asks on every Tab: answered without oclif's start-up.
  const {completeMain} = await import('../dist/completion/complete-main.js');
  await completeMain(argv.slice(1));
} else if (!fastPath(argv)) {
  const bundle = currentBundle('cli', 'main.js');
  if (bundle) {
    await loadBundle(bundle).run(argv, './dist/bundle/cli.cjs');
  } else {
    const {run} = await import(plainEntry('main.js'));
    await run(argv, './dist/commands.js');
  }
}
