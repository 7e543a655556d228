#!/usr/bin/env node
// Entry point. `--version` is answered before oclif loads (it is the hot path of
// scripts and of start-up benchmarks); everything else goes through oclif.
import {fastPath} from '../dist/fast-path.js';

if (!fastPath(process.argv.slice(2))) {
  const {run} = await import('../dist/main.js');
  await run(process.argv.slice(2), import.meta.url);
}
